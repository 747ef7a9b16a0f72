#!/usr/bin/env python3
"""The references for tests/teach.test.ts (your own labels): the paper's pretrained CIFAR-10 ResNet-20 (PyTorch, fp32)
embeds the first N training JPEGs of each class and the 10,000 test JPEGs (PIL decode, ToTensor, Normalize: the
pack's preprocessing at 32x32); then
- a NumPy kNN with resnet-edge's rule predicts each test image: cosine similarity of L2-normalized embeddings, the k
  most similar examples vote (equal similarity: the example taught first), equal votes go to the label with the more
  similar best example;
- the linear softmax head of sdk/src/custom/train-softmax.ts, the same algorithm in PyTorch float64 (standardized
  features, zero start, full-batch Adam on cross-entropy + weight decay), is trained on the examples and scored.

    /usr/bin/python3 tools/teach_reference.py --out tests/.models/teach [--per-class 100] [--k 3]
        [--weights resnet20.safetensors --classes dog,frog,… --name out.json]   (tools/transfer.ts: another backbone, other classes)

Writes teach.json: k, perClass, top1 (kNN), predictions (kNN's class index per test image, in the archive's order),
ambiguous (true where a neighbour or a vote is decided by similarities closer than 1e-4, where float32 and float64
may disagree), linearTop1 and the head's hyper-parameters.
"""
import argparse
import io
import json
import os
import sys
import tarfile

import numpy as np
import torch
from PIL import Image, ImageOps
from torchvision import transforms as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from cifar_resnet import CifarResNet  # noqa: E402

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared')
CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
EPS = 1e-4


def images(archive, per_class=None, classes=CLASSES):
    """(index in `classes`, PIL image) of those classes in the archive's sorted order; the first `per_class` of each
    class when given."""
    out, seen = [], {}
    with tarfile.open(archive) as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile() and m.name.endswith('.jpg')), key=lambda m: m.name)
        for m in members:
            if m.name.split('/')[-2] not in classes:
                continue
            cls = classes.index(m.name.split('/')[-2])
            if per_class is not None and seen.get(cls, 0) >= per_class:
                continue
            seen[cls] = seen.get(cls, 0) + 1
            out.append((cls, Image.open(io.BytesIO(tar.extractfile(m).read())).convert('RGB')))
    return out


SOFTMAX = {'epochs': 300, 'learningRate': 0.01, 'weightDecay': 1e-4}


def train_softmax(x, y, classes, epochs, lr, decay):
    """sdk/src/custom/train-softmax.ts in torch float64; returns (W, b) for raw embeddings."""
    x = torch.from_numpy(x).double()
    y = torch.from_numpy(np.asarray(y))
    mean = x.mean(0)
    scale = 1 / torch.clamp(((x - mean) ** 2).mean(0).sqrt(), min=1e-6)
    z = (x - mean) * scale
    params = [torch.zeros(classes, x.shape[1], dtype=torch.float64), torch.zeros(classes, dtype=torch.float64)]
    m1 = [torch.zeros_like(p) for p in params]
    m2 = [torch.zeros_like(p) for p in params]
    onehot = torch.nn.functional.one_hot(y, classes).double()
    for t in range(1, epochs + 1):
        w, b = params
        p = torch.softmax(z @ w.T + b, 1)
        g = (p - onehot) / len(z)
        grads = [g.T @ z + decay * w, g.sum(0)]
        c1, c2 = 1 - 0.9 ** t, 1 - 0.999 ** t
        for q in range(2):
            m1[q] = 0.9 * m1[q] + 0.1 * grads[q]
            m2[q] = 0.999 * m2[q] + 0.001 * grads[q] ** 2
            params[q] = params[q] - (lr * m1[q] / c1) / ((m2[q] / c2).sqrt() + 1e-8)
    w, b = params
    weight = w * scale
    return weight.numpy(), (b - weight @ mean).numpy()


def features(model, imgs):
    """Pooled features (float32, as PyTorch computes them) of (class, image) pairs."""
    pre = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    feats = []
    with torch.no_grad():
        for i in range(0, len(imgs), 500):
            feats.append(model.features(torch.stack([pre(im) for _, im in imgs[i:i + 500]])).numpy())
    return np.concatenate(feats)


def embed(model, imgs):
    e = features(model, imgs).astype(np.float64)
    n = np.linalg.norm(e, axis=1, keepdims=True)
    return np.where(n > 0, e / np.where(n > 0, n, 1), 0)


def knn(train_unit, train_cls, test_unit, k):
    preds, ambiguous = [], []
    sims_all = test_unit @ train_unit.T
    for sims in sims_all:
        order = np.lexsort((np.arange(len(sims)), -sims))  # by similarity, then the example taught first
        voters = order[:k]
        n = int(train_cls.max()) + 1
        votes = np.bincount(train_cls[voters], minlength=n)
        best = np.full(n, -np.inf)
        for c in range(n):
            if np.any(train_cls == c):
                best[c] = sims[train_cls == c].max()
        ranked = sorted(range(n), key=lambda c: (-votes[c], -best[c], c))
        preds.append(int(ranked[0]))
        edge = k < len(sims) and abs(sims[order[k - 1]] - sims[order[k]]) < EPS
        tie = votes[ranked[0]] == votes[ranked[1]] and abs(best[ranked[0]] - best[ranked[1]]) < EPS
        ambiguous.append(bool(edge or tie))
    return preds, ambiguous


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--per-class', type=int, default=100)
    ap.add_argument('--k', type=int, default=3)
    ap.add_argument('--weights', default=os.path.join(SHARED, 'models', 'cifar-resnet', 'resnet20.safetensors'),
                    help='a CIFAR ResNet-20 state dict (default: the paper\'s pretrained one)')
    ap.add_argument('--classes', default=','.join(CLASSES), help='the classes taught and tested (default all ten)')
    ap.add_argument('--name', default='teach.json')
    a = ap.parse_args()
    classes = a.classes.split(',')
    torch.set_num_threads(os.cpu_count() or 1)
    state = safetensors_io.load(a.weights)
    model = CifarResNet(20, state['linear.weight'].shape[0])
    model.load_state_dict(state)
    model.eval()
    train = images(os.path.join(SHARED, 'data', 'cifar10', 'train.tar.gz'), a.per_class, classes)
    test = images(os.path.join(SHARED, 'data', 'cifar10', 'test.tar.gz'), None, classes)
    train_cls, test_cls = np.array([c for c, _ in train]), np.array([c for c, _ in test])
    preds, ambiguous = knn(embed(model, train), train_cls, embed(model, test), a.k)
    accuracy = float(np.mean(np.array(preds) == test_cls))
    w, b = train_softmax(features(model, train), train_cls, len(classes), SOFTMAX['epochs'], SOFTMAX['learningRate'], SOFTMAX['weightDecay'])
    test_features = features(model, test).astype(np.float64)
    linear = float(np.mean(np.argmax(test_features @ w.T + b, 1) == test_cls))
    # Augmented: each example also mirrored left to right (addExample(…, { flip: true })).
    mirrored = [(c, ImageOps.mirror(im)) for c, im in train]
    w, b = train_softmax(np.concatenate([features(model, train), features(model, mirrored)]), np.concatenate([train_cls, train_cls]),
                         len(classes), SOFTMAX['epochs'], SOFTMAX['learningRate'], SOFTMAX['weightDecay'])
    linear_flip = float(np.mean(np.argmax(test_features @ w.T + b, 1) == test_cls))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, a.name), 'w') as f:
        json.dump({'k': a.k, 'perClass': a.per_class, 'top1': accuracy, 'predictions': preds, 'ambiguous': ambiguous,
                   'linearTop1': linear, 'linearFlipTop1': linear_flip, 'softmax': SOFTMAX}, f)
    print(f'{",".join(classes)}, {a.per_class} per class: kNN k={a.k} top-1 {accuracy * 100:.2f} % ({sum(ambiguous)} ambiguous), '
          f'linear head top-1 {linear * 100:.2f} %, with flipped examples {linear_flip * 100:.2f} %')


if __name__ == '__main__':
    main()
