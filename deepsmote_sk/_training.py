"""The package's one training loop.

Every torch model in ``deepsmote_sk`` (the DSEA-SMOTE generator and all
classifiers) trains through :func:`train_loop`. A model supplies a ``step``
that maps one mini-batch to a dict of named loss tensors (``"loss"`` is the
one back-propagated); the loop owns the optimiser calls, the epoch
bookkeeping, the progress bar and early stopping through ``end_of_epoch``.
Training is budgeted in epochs or, with ``max_steps``, in optimisation
steps: a step budget trains a model as much on 50 rows as on 50 000, which
is what a fair comparison of resampling methods needs (PROTOCOL.md).
"""

import itertools
from collections import defaultdict

import numpy as np
import torch
from tqdm.auto import tqdm

__all__ = ["train_loop", "minibatches"]


def minibatches(n_samples, batch_size, generator, *, shuffle=True, drop_last=False, weights=None):
    """Index tensors of one epoch's mini-batches.

    Parameters
    ----------
    n_samples : int
    batch_size : int
        Clipped to ``n_samples``.
    generator : torch.Generator
        Source of the shuffling order, so an epoch's order depends only on
        the estimator's ``random_state``.
    shuffle : bool
    drop_last : bool
        Drop a last batch smaller than ``batch_size`` (kept when it is the
        only batch).
    weights : torch.Tensor of shape (n_samples,), optional
        Sample with replacement with these weights (class-balanced batches)
        instead of permuting.

    Returns
    -------
    list of torch.LongTensor
    """
    batch_size = max(1, min(int(batch_size), n_samples))
    if weights is not None:
        order = torch.multinomial(weights, n_samples, replacement=True, generator=generator)
    elif shuffle:
        order = torch.randperm(n_samples, generator=generator)
    else:
        order = torch.arange(n_samples)
    batches = list(torch.split(order, batch_size))
    if drop_last and len(batches) > 1 and batches[-1].numel() < batch_size:
        batches = batches[:-1]
    return batches


def train_loop(
    step,
    batches,
    optimizer,
    n_epochs,
    *,
    max_steps=None,
    modules=(),
    scheduler=None,
    end_of_epoch=None,
    verbose=False,
    desc="training",
):
    """Run mini-batch training for an epoch or a step budget; return the history.

    Parameters
    ----------
    step : callable
        ``step(batch) -> dict[str, Tensor]``; the ``"loss"`` entry is
        back-propagated, every entry is averaged into the history.
    batches : callable
        ``batches(epoch) -> iterable`` of mini-batches for that epoch.
    optimizer : torch.optim.Optimizer
    n_epochs : int
        Number of epochs (passes of ``batches``); ignored with ``max_steps``.
    max_steps : int, optional
        Train for exactly this many optimiser steps instead: epochs follow
        each other (each with its own ``batches(epoch)``) until the budget
        is spent, so the last epoch may be cut short. Early stopping
        through ``end_of_epoch`` still ends training sooner.
    modules : sequence of torch.nn.Module
        Put in training mode before each epoch (``end_of_epoch`` may switch
        them to evaluation mode for validation).
    scheduler : torch.optim.lr_scheduler.LRScheduler, optional
        Stepped once per epoch.
    end_of_epoch : callable, optional
        ``end_of_epoch(epoch, record) -> bool``; may add entries to
        ``record`` (e.g. a validation score) and returns True to stop early.
    verbose : bool
        Show a tqdm progress bar with the running losses.
    desc : str
        Label of the progress bar.

    Returns
    -------
    list of dict
        One record per epoch run (a cut-short last epoch included) with the
        mean of each loss.
    """
    history = []
    steps_left = None if max_steps is None else int(max_steps)
    epochs = range(int(n_epochs)) if steps_left is None else itertools.count()
    # mininterval=0: every epoch (or step) is drawn, so tests see the last.
    bar = tqdm(
        total=int(n_epochs) if steps_left is None else steps_left,
        desc=desc,
        disable=not verbose,
        leave=False,
        mininterval=0,
        unit="epoch" if steps_left is None else "step",
    )
    for epoch in epochs:
        if steps_left == 0:
            break
        for module in modules:
            module.train()
        sums, count = defaultdict(float), 0
        for batch in batches(epoch):
            if steps_left is not None:
                if steps_left == 0:
                    break
                steps_left -= 1
                bar.update()
            optimizer.zero_grad(set_to_none=True)
            losses = step(batch)
            loss = losses["loss"]
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"{desc}: the loss became {loss.detach().item()} at epoch {epoch}; "
                    "lower the learning rate or check the input scaling."
                )
            loss.backward()
            optimizer.step()
            count += 1
            for name, value in losses.items():
                sums[name] += float(value.detach())
        if count == 0 and steps_left is not None:
            raise ValueError(f"{desc}: an epoch without mini-batches cannot spend a step budget.")
        record = {name: total / max(count, 1) for name, total in sums.items()}
        if scheduler is not None:
            scheduler.step()
        stop = bool(end_of_epoch(epoch, record)) if end_of_epoch is not None else False
        history.append(record)
        if steps_left is None:
            bar.update()
        bar.set_postfix({k: f"{v:.4g}" for k, v in record.items() if np.isfinite(v)}, refresh=False)
        if stop:
            break
    bar.close()
    return history
