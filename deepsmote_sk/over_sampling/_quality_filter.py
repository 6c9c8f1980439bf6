"""The Filtering-module of DSEA-SMOTE (Sec. II-D, Eq. 9-12), applied per sample."""

import math

import torch

__all__ = ["QualityFilter", "standardize_rows", "pearson_to_nearest"]

#: Candidates decoded and scored at once; bounds the filter's memory.
GENERATION_BATCH = 1024

#: Lowest acceptance rate assumed when sizing the next round of draws: a
#: round draws at most twice the missing count, which bounds the total work
#: at ``(2 max_rounds - 1)`` times the requested count.
_MIN_RATE = 0.5


def standardize_rows(rows):
    """Rows scaled to zero mean and unit Euclidean norm (a constant row becomes zeros).

    The dot product of two standardised rows is their Pearson correlation.
    """
    centred = rows - rows.mean(dim=1, keepdim=True)
    norm = centred.norm(dim=1, keepdim=True)
    return centred / torch.clamp(norm, min=torch.finfo(rows.dtype).tiny) * (norm > 0)


def pearson_to_nearest(candidates, reference):
    """PCC of each candidate row with its most correlated reference row.

    Parameters
    ----------
    candidates : torch.Tensor of shape (n, d)
    reference : torch.Tensor of shape (m, d)
        Already passed through :func:`standardize_rows`.

    Returns
    -------
    torch.Tensor of shape (n,)
    """
    pcc = (standardize_rows(candidates) @ reference.T).amax(dim=1)
    # Rounding can push the correlation of (nearly) identical rows past 1.
    return pcc.clamp(-1.0, 1.0)


class QualityFilter:
    """Accept synthetic samples one by one (Eq. 12), redrawing in bounded rounds.

    A candidate ``g`` of target class ``c`` is accepted when

    * the judge assigns it to ``c`` (Eq. 9 for one sample: its
      contribution to ``G_acc`` is 1, which exceeds any ``beta < 1``), and
    * ``G_quality`` (Eq. 10), the PCC between its view (its scalogram; the
      magnitude spectrum when DSEASMOTE ignores phase) and the most
      correlated view of a real sample of ``c``, exceeds ``beta``.

    The judge's probability ``P(Y = c | g)`` is not compared with ``beta``:
    that soft test (an earlier choice) made the filter follow a weak
    judge's confidence; on the simulator at BR 1:100, where the judge
    classifies real test windows at 0.49, it accepted 8 % of the
    candidates and cost the downstream classifier 4-10 points (see the user
    guide). It still ranks the rejects.

    The judge is a classifier: in the paper the AFC trained with the
    generator, in DSEASMOTE's default an independent one trained on real
    rows only. Without a judge only the PCC criterion applies. Rounds draw new
    candidates until the requested number is accepted or ``max_rounds``
    rounds have run; a round draws ``missing / max(rate, 0.5)`` candidates,
    ``rate`` being the acceptance rate so far, so the whole filter decodes
    at most ``(2 max_rounds - 1)`` times the requested count. If samples are
    still missing, the best rejects fill the gap: first those the judge
    assigns to ``c``, then by ``min(PCC, P(Y = c | g))``.

    Parameters
    ----------
    threshold : float
        ``beta(BR)`` of Eq. 12.
    enabled : bool
        False accepts every candidate (the filter ablation); the statistics
        are still measured.
    max_rounds : int
        Rounds of draws before filling from the rejects.
    """

    def __init__(self, threshold, *, enabled, max_rounds):
        self.threshold = float(threshold)
        self.enabled = bool(enabled)
        self.max_rounds = int(max_rounds)

    def run(self, draw, score, n_needed):
        """Collect ``n_needed`` samples.

        Parameters
        ----------
        draw : callable
            ``draw(n) -> Tensor (n, n_features)`` of new candidates.
        score : callable
            ``score(rows) -> (pcc, confidence, assigned)``: tensors of shape
            ``(n,)``; ``confidence`` and ``assigned`` are None without judge.
        n_needed : int

        Returns
        -------
        samples : torch.Tensor of shape (n_needed, n_features)
        report : dict
            ``n_requested``, ``n_drawn``, ``n_accepted``, ``acceptance_rate``
            (share of drawn candidates that passed), ``n_filled`` (taken
            from the rejects), ``mean_pcc`` and ``mean_confidence`` (of
            the returned samples; NaN without judge) and ``threshold``.
        """
        kept, kept_pcc, kept_conf = [], [], []
        pool = None  # best rejects so far: (rows, rank, pcc, conf)
        n_kept = n_drawn = n_passed = 0
        has_afc = True
        for _ in range(self.max_rounds if self.enabled else 1):
            missing = n_needed - n_kept
            if missing == 0:
                break
            rate = n_passed / n_drawn if n_drawn else 1.0
            n_round = math.ceil(missing / max(rate, _MIN_RATE))
            for start in range(0, n_round, GENERATION_BATCH):
                rows = draw(min(GENERATION_BATCH, n_round - start))
                pcc, conf, assigned = score(rows)
                if conf is None:
                    has_afc = False
                    conf = torch.ones_like(pcc)
                    assigned = torch.ones_like(pcc, dtype=torch.bool)
                ok = (pcc > self.threshold) & assigned
                if not self.enabled:
                    ok = torch.ones_like(ok)
                n_drawn += len(rows)
                n_passed += int(ok.sum())
                take = torch.nonzero(ok).flatten()[: n_needed - n_kept]
                kept.append(rows[take])
                kept_pcc.append(pcc[take])
                kept_conf.append(conf[take])
                n_kept += len(take)
                reject = ~ok
                rank = torch.minimum(pcc, conf) + 2.0 * assigned
                pool = _best(
                    pool,
                    (rows[reject], rank[reject], pcc[reject], conf[reject]),
                    n_needed,
                )
                if n_kept == n_needed:
                    break
        n_accepted = n_kept
        n_filled = n_needed - n_kept
        if n_filled:
            kept.append(pool[0][:n_filled])
            kept_pcc.append(pool[2][:n_filled])
            kept_conf.append(pool[3][:n_filled])
        samples = torch.cat(kept)
        pcc_all = torch.cat(kept_pcc)
        conf_all = torch.cat(kept_conf)
        report = {
            "n_requested": int(n_needed),
            "n_drawn": int(n_drawn),
            "n_accepted": int(n_accepted),
            "acceptance_rate": n_passed / n_drawn if n_drawn else float("nan"),
            "n_filled": int(n_filled),
            "mean_pcc": float(pcc_all.mean()) if n_needed else float("nan"),
            "mean_confidence": (
                float(conf_all.mean()) if n_needed and has_afc else float("nan")
            ),
            "threshold": self.threshold,
        }
        return samples, report


def _best(pool, new, size):
    """The ``size`` highest-ranked rejects of the pool and the new ones, best first."""
    if pool is not None:
        new = tuple(torch.cat([a, b]) for a, b in zip(pool, new))
    order = torch.argsort(new[1], descending=True, stable=True)[:size]
    return tuple(t[order] for t in new)
