"""Per-example reset hook of the sphinx-gallery build."""

import torch


def one_torch_thread(gallery_conf, fname):
    """Run every example on one torch thread, as the tests do.

    The examples' time budget (under two minutes each on a 2-core CPU) is
    measured this way, and one thread keeps the build's timings comparable
    from machine to machine.
    """
    torch.set_num_threads(1)
