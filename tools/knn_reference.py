#!/usr/bin/env python3
"""The nearest-neighbour reference for tests/knn.test.ts: the paper's pretrained CIFAR-10 ResNet-20 (PyTorch, fp32)
embeds the first N training JPEGs of each class and the 10,000 test JPEGs (PIL decode, ToTensor, Normalize: the
pack's preprocessing at 32x32), and a NumPy kNN with resnet-edge's rule predicts each test image: cosine similarity
of L2-normalized embeddings, the k most similar examples vote (equal similarity: the example taught first), equal
votes go to the label with the more similar best example.

    /usr/bin/python3 tools/knn_reference.py --out tests/.models/knn [--per-class 100] [--k 3]

Writes knn.json: k, perClass, predictions (class index per test image, in the archive's order) and ambiguous (true
where a neighbour or a vote is decided by similarities closer than 1e-4, where float32 and float64 may disagree).
"""
import argparse
import io
import json
import os
import sys
import tarfile

import numpy as np
import torch
from PIL import Image
from torchvision import transforms as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from cifar_resnet import CifarResNet  # noqa: E402

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared')
CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
EPS = 1e-4


def images(archive, per_class=None):
    """(class index, PIL image) in the archive's sorted order; the first `per_class` of each class when given."""
    out, seen = [], {}
    with tarfile.open(archive) as tar:
        members = sorted((m for m in tar.getmembers() if m.isfile() and m.name.endswith('.jpg')), key=lambda m: m.name)
        for m in members:
            cls = CLASSES.index(m.name.split('/')[-2])
            if per_class is not None and seen.get(cls, 0) >= per_class:
                continue
            seen[cls] = seen.get(cls, 0) + 1
            out.append((cls, Image.open(io.BytesIO(tar.extractfile(m).read())).convert('RGB')))
    return out


def embed(model, imgs):
    pre = T.Compose([T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    feats = []
    with torch.no_grad():
        for i in range(0, len(imgs), 500):
            feats.append(model.features(torch.stack([pre(im) for _, im in imgs[i:i + 500]])).numpy())
    e = np.concatenate(feats).astype(np.float64)
    n = np.linalg.norm(e, axis=1, keepdims=True)
    return np.where(n > 0, e / np.where(n > 0, n, 1), 0)


def knn(train_unit, train_cls, test_unit, k):
    preds, ambiguous = [], []
    sims_all = test_unit @ train_unit.T
    for sims in sims_all:
        order = np.lexsort((np.arange(len(sims)), -sims))  # by similarity, then the example taught first
        voters = order[:k]
        votes = np.bincount(train_cls[voters], minlength=len(CLASSES))
        best = np.full(len(CLASSES), -np.inf)
        for c in range(len(CLASSES)):
            if np.any(train_cls == c):
                best[c] = sims[train_cls == c].max()
        ranked = sorted(range(len(CLASSES)), key=lambda c: (-votes[c], -best[c], c))
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
    a = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    model = CifarResNet(20)
    model.load_state_dict(safetensors_io.load(os.path.join(SHARED, 'models', 'cifar-resnet', 'resnet20.safetensors')))
    model.eval()
    train = images(os.path.join(SHARED, 'data', 'cifar10', 'train.tar.gz'), a.per_class)
    test = images(os.path.join(SHARED, 'data', 'cifar10', 'test.tar.gz'))
    preds, ambiguous = knn(embed(model, train), np.array([c for c, _ in train]), embed(model, test), a.k)
    accuracy = float(np.mean(np.array(preds) == np.array([c for c, _ in test])))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'knn.json'), 'w') as f:
        json.dump({'k': a.k, 'perClass': a.per_class, 'top1': accuracy, 'predictions': preds, 'ambiguous': ambiguous}, f)
    print(f'kNN k={a.k}, {a.per_class} per class: top-1 {accuracy * 100:.2f} %, {sum(ambiguous)} ambiguous')


if __name__ == '__main__':
    main()
