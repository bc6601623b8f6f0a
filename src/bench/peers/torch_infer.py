"""PyTorch peer for `src/bench/kernel-model.ts`: images/s of inference (eval mode, no grad, one thread).

Uses the networks of torch_train_step.py (network R's full-precision twin, or Group-Net R K=5).
Prints one JSON line: {"model", "batch", "imagesPerSec", "ms", "torch", "threads"}.
"""
import time

import torch

from torch_train_step import peer_arguments, print_median, seeded_net


def main():
    ap = peer_arguments(default_batch=1)
    ap.add_argument('--seconds', type=float, default=1.0)
    args = ap.parse_args()
    net = seeded_net(args).eval()
    x = torch.randn(args.batch, 1, 28, 28)
    times = []
    with torch.no_grad():
        for _ in range(5):
            net(x)
        end = time.perf_counter() + args.seconds
        while len(times) < 5 or time.perf_counter() < end:
            t0 = time.perf_counter()
            net(x)
            times.append(time.perf_counter() - t0)
    print_median(args, times, 'ms')


if __name__ == '__main__':
    main()
