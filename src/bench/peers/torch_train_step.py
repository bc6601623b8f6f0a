"""PyTorch peer for `groupnas bench train-step`: images/s of one SGD training step.

Builds the same networks as groupnas (DESIGN §3): the full-precision twin of network R
and, with --model groupnet-k5, Group-Net R (K=5 bases, one-block groups, soft connections,
1-bit sign activations with STE, weights alpha*sign(W)). Runs on --threads threads (default 1).
Prints one JSON line: {"model", "batch", "imagesPerSec", "stepMs", "torch", "threads"}.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


class Conv(nn.Conv2d):
    """Float conv, or binary: weights mean|W| * sign(W) per output channel, input sign(x)."""

    def __init__(self, cin, cout, k, stride, binary):
        super().__init__(cin, cout, k, stride, k // 2, bias=False)
        self.binary = binary

    def forward(self, x):
        if not self.binary:
            return super().forward(x)
        alpha = self.weight.abs().mean(dim=(1, 2, 3), keepdim=True).detach()
        w = alpha * SignSTE.apply(self.weight)
        return F.conv2d(SignSTE.apply(x), w, None, self.stride, self.padding)


class Downsample(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.pool = nn.AvgPool2d(stride) if stride > 1 else nn.Identity()
        self.conv = nn.Conv2d(cin, cout, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(self.pool(x)))


class BasicBlockLayers(nn.Module):
    """A basic block's layers: two 3x3 conv -> BN units (float or binary convs) and the shortcut."""

    def __init__(self, cin, cout, stride, binary):
        super().__init__()
        self.c1, self.b1 = Conv(cin, cout, 3, stride, binary), nn.BatchNorm2d(cout)
        self.c2, self.b2 = Conv(cout, cout, 3, 1, binary), nn.BatchNorm2d(cout)
        self.short = Downsample(cin, cout, stride) if stride != 1 or cin != cout else nn.Identity()


class FPBlock(BasicBlockLayers):
    def __init__(self, cin, cout, stride):
        super().__init__(cin, cout, stride, False)

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        return F.relu(self.b2(self.c2(y)) + self.short(x))


class BinaryBlock(BasicBlockLayers):
    """Bi-Real style: two units sign -> binary conv -> BN, each with its own shortcut."""

    def __init__(self, cin, cout, stride):
        super().__init__(cin, cout, stride, True)

    def forward(self, x):
        y = self.b1(self.c1(x)) + self.short(x)
        return self.b2(self.c2(y)) + y


def stages(width_mult):
    widths = [int(w * width_mult) for w in (32, 64, 128)]
    plan, cin = [], int(32 * width_mult)
    for w, s in zip(widths, (1, 2, 2)):
        plan += [(cin, w, s), (w, w, 1)]
        cin = w
    return plan


class Net(nn.Module):
    def __init__(self, bases, width_mult):
        super().__init__()
        stem = int(32 * width_mult)
        self.stem = nn.Sequential(nn.Conv2d(1, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem), nn.ReLU())
        plan = stages(width_mult)
        self.bases = bases
        if bases == 0:
            self.blocks = nn.ModuleList([FPBlock(*p) for p in plan])
        else:
            self.blocks = nn.ModuleList([nn.ModuleList([BinaryBlock(*p) for _ in range(bases)]) for p in plan])
            # soft connections between consecutive one-block groups, and the final aggregate
            self.mix = nn.ParameterList([nn.Parameter(torch.full((bases, bases), 1.0 / bases)) for _ in plan[1:]])
            self.lam = nn.Parameter(torch.full((bases,), 1.0 / bases))
        self.fc = nn.Linear(plan[-1][1], 10)

    def forward(self, x):
        x = self.stem(x)
        if self.bases == 0:
            for b in self.blocks:
                x = b(x)
        else:
            xs = [x] * self.bases
            for i, group in enumerate(self.blocks):
                outs = torch.stack([blk(xi) for blk, xi in zip(group, xs)])
                if i < len(self.mix):
                    mixed = torch.einsum('jk,knchw->jnchw', self.mix[i], outs)
                    xs = list(mixed.unbind(0))
                else:
                    x = torch.einsum('k,knchw->nchw', self.lam, outs)
        return self.fc(x.mean(dim=(2, 3)))


def peer_arguments(default_batch):
    """The options every peer takes: --model, --batch, --width-mult."""
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default='fp', choices=['fp', 'groupnet-k5'])
    ap.add_argument('--batch', type=int, default=default_batch)
    ap.add_argument('--width-mult', type=float, default=1.0)
    ap.add_argument('--threads', type=int, default=1, help='torch.set_num_threads')
    return ap


def seeded_net(args):
    """The network --model names, on --threads threads, with seed-0 weights (so every peer times the same net)."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    return Net(0 if args.model == 'fp' else 5, args.width_mult)


def print_median(args, times, ms_key):
    """The peer's JSON line from its timed runs: images/s and milliseconds of the median run."""
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({
        'model': args.model, 'batch': args.batch, 'imagesPerSec': args.batch / median,
        ms_key: median * 1000, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
    }))


def main():
    ap = peer_arguments(default_batch=64)
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=2)
    args = ap.parse_args()
    net = seeded_net(args)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
    x = torch.randn(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    times = []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        if i >= args.warmup:
            times.append(time.perf_counter() - t0)
    print_median(args, times, 'stepMs')


if __name__ == '__main__':
    main()
