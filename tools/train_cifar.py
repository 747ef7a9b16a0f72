#!/usr/bin/python3
"""Trains resnet-edge's default model: a CIFAR-10 ResNet of the paper (option-A shortcuts, tools/cifar_resnet.py)
on ../shared/data/cifar10/train.tar.gz only (the JPEG copies), seeded and reproducible.

Recipe: SGD with Nesterov momentum 0.9, weight decay 5e-4, batch 128, one-cycle learning rate (peak 0.2, 15 % warm-up,
cosine down), random 32x32 crops of the 4-pixel zero-padded image and horizontal flips, label smoothing 0.1.
Inputs are normalized with the ImageNet mean/std, as the pack's preprocessing does. Runs on CUDA when present.
A checkpoint is written after every epoch; `--resume` continues the same schedule from it.

Usage: /usr/bin/python3 tools/train_cifar.py --depth 20 --epochs 45 --out tools/train-out [--resume]
       (a fine-tuning run: --init <checkpoint.pt> --warmup 0 --lr 0.02 --epochs N --out <other dir>)
The test set is only used to log accuracy, never to choose anything.
"""
import argparse
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
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'data', 'cifar10')


def load_split(name):
    """All images of a tarball, decoded by PIL, sorted by path: uint8 [N, 32, 32, 3] and labels."""
    xs, ys = [], []
    with tarfile.open(os.path.join(SHARED, f'{name}.tar.gz')) as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile() and m.name.endswith('.jpg')), key=lambda m: m.name)
        for m in members:
            xs.append(np.asarray(Image.open(io.BytesIO(tar.extractfile(m).read())).convert('RGB')))
            ys.append(CLASSES.index(m.name.split('/')[-2]))
    return np.stack(xs), np.array(ys, dtype=np.int64)


def to_input(batch_u8, device):
    x = torch.from_numpy(batch_u8).to(device).permute(0, 3, 1, 2).float().div_(255)
    return ((x - MEAN.to(device)) / STD.to(device)).contiguous(memory_format=torch.channels_last)


def augment(batch_u8, rng):
    """Random crop of the zero-padded (4 px) image and random horizontal flip."""
    n = len(batch_u8)
    padded = np.zeros((n, 40, 40, 3), np.uint8)
    padded[:, 4:36, 4:36] = batch_u8
    dx, dy, flip = rng.integers(0, 9, n), rng.integers(0, 9, n), rng.random(n) < 0.5
    out = np.empty_like(batch_u8)
    for i in range(n):
        crop = padded[i, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        out[i] = crop[:, ::-1] if flip[i] else crop
    return out


def one_cycle(step, total, peak, warmup=0.15):
    warm = int(warmup * total)
    if step < warm:
        return peak * (0.05 + 0.95 * step / warm)
    t = (step - warm) / max(1, total - warm)
    return peak * 0.5 * (1 + np.cos(np.pi * t))


def evaluate(model, x, y, device):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 500):
            correct += (model(to_input(x[i:i + 500], device)).argmax(1).cpu() == torch.from_numpy(y[i:i + 500])).sum().item()
    return 100.0 * correct / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--depth', type=int, default=20)
    ap.add_argument('--epochs', type=int, default=40)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=0.2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', default='tools/train-out')
    ap.add_argument('--resume', action='store_true')
    ap.add_argument('--warmup', type=float, default=0.15, help='fraction of the steps spent warming up')
    ap.add_argument('--init', help='start from the weights of this checkpoint (a second, fine-tuning run)')
    args = ap.parse_args()
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, 'train.log'), 'a')

    def say(msg):
        print(msg, flush=True)
        log.write(msg + '\n')
        log.flush()

    t0 = time.time()
    xtr, ytr = load_split('train')
    xte, yte = load_split('test')
    say(f'# {json.dumps(vars(args))} device={device} torch={torch.__version__} threads={torch.get_num_threads()} '
        f'train={len(xtr)} test={len(xte)} (decoded in {time.time() - t0:.0f} s)')
    model = CifarResNet(args.depth).to(device).to(memory_format=torch.channels_last)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    opt = torch.optim.SGD([{'params': decay, 'weight_decay': 5e-4}, {'params': no_decay, 'weight_decay': 0}],
                          lr=args.lr, momentum=0.9, nesterov=True)
    steps_per_epoch = len(xtr) // args.batch
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
        rng = np.random.default_rng(args.seed * 1000 + epoch)
        order = rng.permutation(len(xtr))
        model.train()
        t = time.time()
        loss_sum, correct = 0.0, 0
        for s in range(steps_per_epoch):
            idx = order[s * args.batch:(s + 1) * args.batch]
            for g in opt.param_groups:
                g['lr'] = one_cycle(epoch * steps_per_epoch + s, total, args.lr, args.warmup)
            x = to_input(augment(xtr[idx], rng), device)
            y = torch.from_numpy(ytr[idx]).to(device)
            out = model(x)
            loss = F.cross_entropy(out, y, label_smoothing=0.1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            correct += (out.argmax(1) == y).sum().item()
        n = steps_per_epoch * args.batch
        test = evaluate(model, xte, yte, device)
        say(f'epoch {epoch + 1:3d}/{args.epochs} lr {opt.param_groups[0]["lr"]:.4f} loss {loss_sum / steps_per_epoch:.4f} '
            f'train {100.0 * correct / n:.2f} % test {test:.2f} % ({n / (time.time() - t):.0f} img/s, {time.time() - t:.0f} s)')
        torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'epoch': epoch + 1}, ckpt)
    model = model.cpu().to(memory_format=torch.contiguous_format)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    safetensors_io.save(state, os.path.join(args.out, f'resnet{args.depth}.safetensors'),
                        {'depth': args.depth, 'epochs': args.epochs, 'seed': args.seed, 'trained_on': 'cifar10/train.tar.gz'})
    say(f'# final test top-1 {evaluate(model, xte, yte, "cpu"):.2f} % (PyTorch fp32, PIL-decoded JPEGs); total {time.time() - t0:.0f} s')


if __name__ == '__main__':
    main()
