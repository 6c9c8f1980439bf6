"""Throughput of the torch CWT against ``pywt.cwt`` on the same batch.

Usage::

    python benchmarks/bench_cwt.py                       # the acceptance run
    python benchmarks/bench_cwt.py --wavelets cmor1.5-1.0 morl mexh

Both transforms run in this process on the same float32 batch (default 2000
windows x 256 samples, 64 scales ``np.geomspace(1, 64, 64)``, the package's
default wavelet ``cmor1.5-1.0``). ``pywt.cwt`` is timed with both of its
methods (``"conv"`` and ``"fft"``) and the faster one is the reference. The
calls are interleaved: each of ``--rounds`` rounds calls the torch CWT
``--torch-calls`` times and each pywt method once, in blocks that start
with a different function each round, so a slow spell of the shared
machine slows both sides instead of only whichever ran then. Each block
begins with one untimed call of its function, so that neither side is
timed in the call that follows the other's (see ``_interleaved_times``). Each
time is the median of its whole calls; the torch CWT is timed after one
warm-up call that builds its kernel cache (the cold call is printed too).
The ratio is taken from medians of this run only, as ../shared/PROTOCOL.md
asks: absolute times on a shared machine are noisy, ratios less so.

One line per wavelet is printed, for example (a run on the 2-core
development machine, 2026-12-01)::

    cwt throughput: torch 0.079 s, pywt.cwt(fft) 0.876 s -> ratio 11.1x
    (2000 x 256 x 64 scales, wavelet cmor1.5-1.0, float32, torch on cpu,
    2 threads)

(on one line)

followed by the same comparison in process CPU time (less sensitive to
other processes on a shared machine than wall-clock time, but it counts
both torch threads), the accuracy (max |torch - pywt| / max |pywt|), and at
the end the peak resident memory of the process.

Each result is dropped inside its timed call, as a loop of transforms
drops it. The torch CWT keeps the memory of a released output for its next
call (``deepsmote_sk.wavelets.empty_cache`` frees it), so its repeated
calls skip the kernel's mapping and zeroing of fresh pages; pywt allocates
afresh each time. On the CPU a third line therefore times the same torch
call after ``empty_cache()``, i.e. into fresh memory, interleaved with the
others.
"""

import argparse
import resource
import statistics
import sys
import time

import numpy as np
import pywt
import torch

from deepsmote_sk.wavelets import cwt, effective_support, empty_cache


def _timed(fn):
    """Wall-clock and process CPU seconds of one call."""
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - start_wall, time.process_time() - start_cpu


def _interleaved_times(fns, rounds):
    """Wall and CPU seconds of each callable's calls, interleaved in rounds.

    ``fns`` maps a name to ``(fn, calls_per_round)``. Every round runs each
    function's calls as a block, starting with a different function each
    round, so slow spells of a shared machine hit all of them alike instead
    of whichever happened to run then. Each block starts with one untimed
    call: the first call after another function pays for the switch (the
    memory the other freed is mapped afresh, caches are cold, an idle core
    must wake up), which made pywt's next call up to 50 % slower after a
    torch call than after a pywt call; the timed calls measure each side's
    steady throughput. Returns, per name, the lists of wall and CPU times,
    one entry per timed call in call order.
    """
    names = list(fns)
    wall = {name: [] for name in names}
    cpu = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn, calls = fns[name]
            fn()  # untimed: the switch from the previous function
            for _ in range(calls):
                w, c = _timed(fn)
                wall[name].append(w)
                cpu[name].append(c)
    return wall, cpu


def run(
    n_signals, length, scales, wavelet, threads, rounds, torch_calls, methods, device
):
    x = np.random.default_rng(0).standard_normal((n_signals, length)).astype(np.float32)
    torch.set_num_threads(threads)
    if device == "cpu":
        ours_fn = lambda: cwt(x, scales, wavelet)  # noqa: E731
        # The same call without the reuse of released output memory: each
        # call first frees the kept buffer, so its output is fresh memory
        # that the kernel must map and zero.
        variant = (
            "without reusing released output memory (empty_cache() before each call)",
            lambda: (empty_cache(), cwt(x, scales, wavelet)),
        )
    else:
        # Signals already on the device, coefficients left there (as a GPU
        # pipeline uses them); the variant adds the copy back to the host.
        x_dev = torch.from_numpy(x).to(device)

        def ours_fn():
            coefs, _ = cwt(x_dev, scales, wavelet)
            torch.cuda.synchronize(x_dev.device)
            return coefs, None

        variant = (
            "with the copy of the coefficients to the host",
            lambda: cwt(x_dev, scales, wavelet)[0].cpu().numpy(),
        )

    start = time.perf_counter()
    ours, _ = ours_fn()
    cold = time.perf_counter() - start
    if device != "cpu":
        ours = ours.cpu().numpy()

    fns = {"torch": (ours_fn, torch_calls), "torch variant": (variant[1], torch_calls)}
    for method in methods:
        fns[method] = (
            lambda method=method: pywt.cwt(x, scales, wavelet, method=method, axis=-1),
            1,
        )
    walls, cpus = _interleaved_times(fns, rounds)
    wall = {name: statistics.median(v) for name, v in walls.items()}
    cpu = {name: statistics.median(v) for name, v in cpus.items()}
    t_torch, c_torch = wall.pop("torch"), cpu.pop("torch")
    t_variant = wall.pop("torch variant")
    cpu.pop("torch variant")
    best = min(wall, key=wall.get)
    ref, _ = pywt.cwt(x, scales, wavelet, method=best, axis=-1)
    ref = np.moveaxis(ref, 0, 1)  # (n, scales, L)
    rel_err = float(np.abs(ours - ref).max() / np.abs(ref).max())

    print(
        f"cwt throughput: torch {t_torch:.3f} s, pywt.cwt({best}) {wall[best]:.3f} s "
        f"-> ratio {wall[best] / t_torch:.1f}x ({n_signals} x {length} x "
        f"{len(scales)} scales, wavelet {wavelet}, float32, torch on {device}, "
        f"{threads} threads)"
    )
    others = "".join(f"pywt.cwt({m}) {t:.3f} s; " for m, t in wall.items() if m != best)
    print(
        f"    CPU time: torch {c_torch:.3f} s, pywt.cwt({best}) {cpu[best]:.3f} s "
        f"-> ratio {cpu[best] / c_torch:.1f}x; first torch call (builds kernels) "
        f"{cold:.3f} s; {others}max |torch - pywt| / max |pywt| = {rel_err:.1e}"
    )
    ratio = wall[best] / t_variant
    print(f"    {variant[0]}: torch {t_variant:.3f} s -> ratio {ratio:.1f}x")
    sys.stdout.flush()
    return wall[best] / t_torch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-signals", type=int, default=2000)
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--n-scales", type=int, default=64)
    parser.add_argument("--max-scale", type=float, default=64.0)
    parser.add_argument("--wavelets", nargs="+", default=["cmor1.5-1.0"])
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of interleaved calls"
    )
    parser.add_argument(
        "--torch-calls",
        type=int,
        default=3,
        help="torch CWT calls per round",
    )
    parser.add_argument(
        "--methods", nargs="+", default=["fft", "conv"], choices=["fft", "conv"]
    )
    parser.add_argument(
        "--device",
        default="cpu",
        help="torch device of the torch CWT (cuda: signals already on the GPU and "
        "coefficients left there; a third line includes copying them back); pywt "
        "runs on the CPU",
    )
    args = parser.parse_args(argv)

    print(
        f"torch {torch.__version__}, pywt {pywt.__version__}, numpy {np.__version__}; "
        f"scales np.geomspace(1, {args.max_scale:g}, {args.n_scales}), the largest "
        "lowered where a wavelet does not fit in the signal; "
        f"{args.rounds} rounds of interleaved calls ({args.torch_calls} torch, 1 per "
        "pywt method, each block after one untimed call), medians; pywt runs "
        "single-threaded"
    )
    for wavelet in args.wavelets:
        # Scales whose wavelet is longer than the signal are refused by cwt.
        max_scale = args.max_scale
        while effective_support(wavelet, max_scale) > args.length and max_scale > 1:
            max_scale = round(max_scale - 0.5, 1)
        if max_scale < args.max_scale:
            print(f"    {wavelet}: largest scale lowered to {max_scale:g} to fit")
        run(
            args.n_signals,
            args.length,
            np.geomspace(1.0, max_scale, args.n_scales),
            wavelet,
            args.threads,
            args.rounds,
            args.torch_calls,
            args.methods,
            args.device,
        )
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of the process: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
