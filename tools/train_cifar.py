#!/usr/bin/python3
"""Trains resnet-edge's CIFAR-10 models: a ResNet of the paper (option-A shortcuts, tools/cifar_resnet.py) on the
CIFAR-10 JPEG training copies only (../shared/data/cifar10/train.tar.gz), seeded.

The data are decoded once (PIL) into one uint8 tensor on the device; augmentation runs there too, batched: random
32x32 crops of the 4-pixel zero-padded image and horizontal flips (and, with --cutout N, an N x N square of each image
set to the mean). Inputs are normalized with the ImageNet mean/std,
as the pack's preprocessing does. Recipe: SGD with Nesterov momentum 0.9, weight decay 5e-4 (not on BatchNorm and
biases), one-cycle learning rate (15 % linear warm-up, cosine down), label smoothing 0.1. On CUDA: bfloat16 autocast,
channels-last and cuDNN autotuning. A checkpoint is written after every epoch; `--resume` continues the same schedule.

`--time-budget S` (GPU runs) times a few training steps first and lowers --epochs so that training fits in S seconds;
the log says how many epochs ran, and `--epochs N` alone repeats that schedule.

Usage:
  CPU (the ResNet-20 of tools/default-model was trained so, with an earlier, numpy-augmented copy of this recipe):
    /usr/bin/python3 tools/train_cifar.py --depth 20 --epochs 45 --out tools/train-out
  GPU (see docs/gpu.md): python3 tools/train_cifar.py --depth 56 --epochs 200 --batch 512 --lr 0.4 --time-budget 270 ...
  Smoke test: --limit 1000 --epochs 1 (tests/train-cifar.test.ts runs it, with --cutout 16)
The test set is only used to log accuracy, never to choose anything.
"""
import argparse
import contextlib
import io
import json
import os
import sys
import tarfile
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from cifar_resnet import CifarResNet  # noqa: E402

CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'data', 'cifar10')


def load_split(data_dir, name, device, limit=0, classes=CLASSES):
    """The images of `classes` in a tarball, decoded by PIL, sorted by path: uint8 [N, 32, 32, 3] and int64 labels (the
    index in `classes`), on `device`."""
    with tarfile.open(os.path.join(data_dir, f'{name}.tar.gz')) as tar:
        # Read in archive order: a gzip stream cannot seek back cheaply.
        files = {m.name: tar.extractfile(m).read() for m in tar if m.isfile() and m.name.endswith('.jpg')}
    names = sorted(n for n in files if n.split('/')[-2] in classes)
    if limit:
        names = [names[i] for i in np.random.default_rng(0).permutation(len(names))[:limit]]
    xs = [np.asarray(Image.open(io.BytesIO(files[n])).convert('RGB')) for n in names]
    ys = [classes.index(n.split('/')[-2]) for n in names]
    return torch.from_numpy(np.stack(xs)).to(device), torch.tensor(ys, dtype=torch.int64, device=device)


def normalize(x_u8):
    """uint8 NHWC -> normalized float NCHW, channels-last in memory."""
    mean = torch.tensor(MEAN, device=x_u8.device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=x_u8.device).view(1, 3, 1, 1)
    x = x_u8.permute(0, 3, 1, 2).float().div_(255)
    return ((x - mean) / std).contiguous(memory_format=torch.channels_last)


def augment(x_u8, gen):
    """Random 32x32 crop of the zero-padded (4 px) image and random horizontal flip, for a whole batch at once."""
    n = x_u8.shape[0]
    padded = F.pad(x_u8, (0, 0, 4, 4, 4, 4))
    dy = torch.randint(0, 9, (n, 1, 1), generator=gen, device=gen.device).to(x_u8.device)
    dx = torch.randint(0, 9, (n, 1, 1), generator=gen, device=gen.device).to(x_u8.device)
    flip = (torch.rand((n, 1, 1), generator=gen, device=gen.device) < 0.5).to(x_u8.device)
    r = torch.arange(32, device=x_u8.device)
    cols = torch.where(flip, 31 - r.view(1, 1, 32), r.view(1, 1, 32)) + dx
    rows = r.view(1, 32, 1) + dy
    return padded[torch.arange(n, device=x_u8.device).view(n, 1, 1), rows, cols]


def cutout(x, size, gen):
    """Cutout (DeVries & Taylor 2017): a size x size square of each normalized image, at a random centre and clipped
    at the borders, set to 0 (the mean)."""
    n, _, h, w = x.shape
    top = torch.randint(0, h, (n, 1, 1), generator=gen, device=gen.device).to(x.device) - size // 2
    left = torch.randint(0, w, (n, 1, 1), generator=gen, device=gen.device).to(x.device) - size // 2
    r = torch.arange(h, device=x.device).view(1, h, 1)
    c = torch.arange(w, device=x.device).view(1, 1, w)
    hole = (r >= top) & (r < top + size) & (c >= left) & (c < left + size)
    return x.masked_fill(hole.unsqueeze(1), 0.0)


def one_cycle(step, total, peak, warmup=0.15):
    warm = int(warmup * total)
    if step < warm:
        return peak * (0.05 + 0.95 * step / warm)
    t = (step - warm) / max(1, total - warm)
    return peak * 0.5 * (1 + np.cos(np.pi * t))


def evaluate(model, x, y):
    model.eval()
    correct = torch.zeros((), dtype=torch.int64, device=x.device)
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            correct += (model(normalize(x[i:i + 1000]).float()).argmax(1) == y[i:i + 1000]).sum()
    return 100.0 * correct.item() / len(x)


class Trainer:
    """One model, its optimizer and the step that trains it on a batch."""

    def __init__(self, args, device):
        self.device, self.args = device, args
        self.model = CifarResNet(args.depth, len(args.classes)).to(device).to(memory_format=torch.channels_last)
        decay = [p for p in self.model.parameters() if p.ndim > 1]
        no_decay = [p for p in self.model.parameters() if p.ndim <= 1]
        fused = {'fused': True} if device == 'cuda' else {}
        self.opt = torch.optim.SGD([{'params': decay, 'weight_decay': 5e-4}, {'params': no_decay, 'weight_decay': 0}],
                                   lr=args.lr, momentum=0.9, nesterov=True, **fused)
        self.amp = device == 'cuda'

    def step(self, x_u8, y, lr, gen):
        for g in self.opt.param_groups:
            g['lr'] = lr
        self.model.train()
        x = normalize(augment(x_u8, gen))
        if self.args.cutout:
            x = cutout(x, self.args.cutout, gen)
        with torch.autocast('cuda', dtype=torch.bfloat16) if self.amp else contextlib.nullcontext():
            out = self.model(x)
            loss = F.cross_entropy(out.float(), y, label_smoothing=0.1)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return loss.detach(), (out.argmax(1) == y).sum()


def fit_epochs(args, device, xtr, ytr, steps_per_epoch, spent):
    """Epochs that fit in the time budget, from the speed of a throwaway model over a few steps."""
    probe, gen = Trainer(args, device), torch.Generator(device=device).manual_seed(12345)
    idx = torch.arange(args.batch, device=device) % len(xtr)
    for i in range(25):
        if i == 5:
            torch.cuda.synchronize() if device == 'cuda' else None
            t = time.time()
        probe.step(xtr[idx], ytr[idx], 0.01, gen)
    torch.cuda.synchronize() if device == 'cuda' else None
    per_step = (time.time() - t) / 20
    # Per epoch: the steps plus one test-set evaluation (about a fifth of a training epoch's work).
    per_epoch = per_step * steps_per_epoch * 1.1
    return max(1, min(args.epochs, int((args.time_budget - spent) / per_epoch))), per_epoch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--depth', type=int, default=20)
    ap.add_argument('--epochs', type=int, default=40)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=0.2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--data', default=SHARED, help='folder holding train.tar.gz and test.tar.gz')
    ap.add_argument('--out', default='tools/train-out')
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--warmup', type=float, default=0.15, help='fraction of the steps spent warming up')
    ap.add_argument('--init', help='start from the weights of this checkpoint (a second, fine-tuning run)')
    ap.add_argument('--time-budget', type=float, default=0, help='seconds for the whole run: fewer epochs if needed')
    ap.add_argument('--cutout', type=int, default=0, help='Cutout square side in pixels (0: none; 16 is the paper\'s for CIFAR-10)')
    ap.add_argument('--limit', type=int, default=0, help='train and test on this many images only (smoke test)')
    ap.add_argument('--classes', default=','.join(CLASSES), help='comma-separated CIFAR-10 classes to train on (default all ten)')
    args = ap.parse_args()
    args.classes = args.classes.split(',')
    if not args.classes or any(c not in CLASSES for c in args.classes):
        ap.error(f'--classes: choose among {",".join(CLASSES)}')
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    torch.backends.cudnn.benchmark = True
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, 'train.log'), 'a')

    def say(msg):
        print(msg, flush=True)
        log.write(msg + '\n')
        log.flush()

    t0 = time.time()
    xtr, ytr = load_split(args.data, 'train', device, args.limit, args.classes)
    xte, yte = load_split(args.data, 'test', device, args.limit, args.classes)
    gpu = torch.cuda.get_device_name(0) if device == 'cuda' else ''
    say(f'# {json.dumps(vars(args))} device={device} {gpu} torch={torch.__version__} threads={torch.get_num_threads()} '
        f'train={len(xtr)} test={len(xte)} (decoded in {time.time() - t0:.0f} s)')
    steps_per_epoch = max(1, len(xtr) // args.batch)
    if args.time_budget:
        args.epochs, per_epoch = fit_epochs(args, device, xtr, ytr, steps_per_epoch, time.time() - t0)
        say(f'# time budget {args.time_budget:.0f} s: ~{per_epoch:.1f} s per epoch measured, so --epochs {args.epochs}')
    trainer = Trainer(args, device)
    model, opt = trainer.model, trainer.opt
    total = steps_per_epoch * args.epochs
    ckpt = os.path.join(args.out, 'checkpoint.pt')
    start = 0
    if args.init:
        model.load_state_dict(torch.load(args.init)['model'])
        say(f'# weights from {args.init}')
    if args.resume and os.path.exists(ckpt):
        state = torch.load(ckpt)
        model.load_state_dict(state['model'])
        opt.load_state_dict(state['opt'])
        start = state['epoch']
        say(f'# resumed after epoch {start}')
    for epoch in range(start, args.epochs):
        gen = torch.Generator(device=device).manual_seed(args.seed * 1000 + epoch)
        order = torch.randperm(len(xtr), generator=gen, device=device)
        t = time.time()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), dtype=torch.int64, device=device)
        for s in range(steps_per_epoch):
            idx = order[s * args.batch:(s + 1) * args.batch]
            loss, right = trainer.step(xtr[idx], ytr[idx], one_cycle(epoch * steps_per_epoch + s, total, args.lr, args.warmup), gen)
            loss_sum += loss
            correct += right
        n = steps_per_epoch * args.batch
        test = evaluate(model, xte, yte)
        say(f'epoch {epoch + 1:3d}/{args.epochs} lr {opt.param_groups[0]["lr"]:.4f} loss {loss_sum.item() / steps_per_epoch:.4f} '
            f'train {100.0 * correct.item() / n:.2f} % test {test:.2f} % ({n / (time.time() - t):.0f} img/s, {time.time() - t:.1f} s)')
        torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'epoch': epoch + 1}, ckpt)
    model = model.cpu().float().to(memory_format=torch.contiguous_format)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    safetensors_io.save(state, os.path.join(args.out, f'resnet{args.depth}.safetensors'),
                        {'depth': args.depth, 'epochs': args.epochs, 'seed': args.seed, 'batch': args.batch, 'lr': args.lr,
                         'device': gpu or device, 'trained_on': 'cifar10/train.tar.gz', 'classes': ','.join(args.classes)})
    say(f'# final test top-1 {evaluate(model, xte.cpu(), yte.cpu()):.2f} % (PyTorch fp32 on the CPU, PIL-decoded JPEGs); '
        f'total {time.time() - t0:.0f} s')


if __name__ == '__main__':
    main()
