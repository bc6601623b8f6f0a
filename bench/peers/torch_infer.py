"""PyTorch peer for `bench/kernels-model.ts`: images/s of inference (eval mode, no grad, one thread).

Uses the networks of torch_train_step.py (network R's full-precision twin, or Group-Net R K=5).
Prints one JSON line: {"model", "batch", "imagesPerSec", "ms", "torch", "threads"}.
"""
import argparse
import json
import time

import torch

from torch_train_step import Net


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='fp', choices=['fp', 'groupnet-k5'])
    ap.add_argument('--batch', type=int, default=1)
    ap.add_argument('--width-mult', type=float, default=1.0)
    ap.add_argument('--seconds', type=float, default=1.0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = Net(0 if args.model == 'fp' else 5, args.width_mult).eval()
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
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({
        'model': args.model, 'batch': args.batch, 'imagesPerSec': args.batch / median,
        'ms': median * 1000, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
    }))


if __name__ == '__main__':
    main()
