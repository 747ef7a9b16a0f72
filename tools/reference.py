#!/usr/bin/python3
"""Reference outputs from PyTorch for resnet-edge's parity tests (Debian's python3-torch, CPU).

For every ResNet of the paper it builds the exact architecture (torchvision for ImageNet, tools/cifar_resnet.py
for CIFAR), fills it with seeded random weights and randomized BatchNorm statistics (so BN folding is really
tested), and writes:  <name>.safetensors (state dict), <name>.onnx (an export whose opset and constant-folding
setting vary across models), <name>.json (logits, probabilities and pooled features on the test input).
It also writes the test inputs (224x224 and 32x32 PNGs) and torchvision's preprocessing of ../shared/images.

Usage: /usr/bin/python3 tools/reference.py --out tests/.models [--only resnet18,cifar20]
"""
import argparse
import collections
import json
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image, ImageOps
from torchvision import transforms as T

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from cifar_resnet import CifarResNet  # noqa: E402

GENERATOR_VERSION = 9
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared')
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
OUT_DIR = ['.']

# name: (builder, seed, onnx opset, onnx constant folding). Opsets 11..17 and both folding modes are covered.
MODELS = {
    'resnet18': (lambda: torchvision.models.resnet18(), 18, 11, False),
    'resnet34': (lambda: torchvision.models.resnet34(), 34, 12, True),
    'resnet50': (lambda: torchvision.models.resnet50(), 50, 13, False),
    'resnet101': (lambda: torchvision.models.resnet101(), 101, 14, True),
    'resnet152': (lambda: torchvision.models.resnet152(), 152, 17, False),
    'cifar20': (lambda: CifarResNet(20), 20, 15, True),
    'cifar56': (lambda: CifarResNet(56), 56, 16, False),
    'resnet18-37classes': (lambda: torchvision.models.resnet18(num_classes=37), 1837, 17, True),
    'resnet18-optionC': (lambda: option_c(torchvision.models.resnet18()), 1819, 13, False),
    # The paper's original bottleneck ("v1": the stride on the first 1×1, as in Caffe, Keras and TensorFlow).
    'resnet50-v1': (lambda: stride_in_1x1(torchvision.models.resnet50()), 5001, 13, True),
    'resnet101-v1': (lambda: stride_in_1x1(torchvision.models.resnet101()), 10101, 14, False),
    'resnet152-v1': (lambda: stride_in_1x1(torchvision.models.resnet152()), 15201, 17, True),
}

# PyTorch checkpoints written beside some models (<name>.<variant>.pth), the ways torch.save files come:
#   zip / legacy: torch >= 1.6's zip format / _use_new_zipfile_serialization=False, a bare state dict;
#   *-wrapped: {'state_dict': {'module.' + key: tensor}, 'best_prec1': …, 'epoch': …} (DataParallel training scripts);
#   zip-model: {'model': state dict} (timm); zip-views: tensors sharing one storage at offsets, 4-D weights strided;
#   zip-half / zip-bf16: the state dict in float16 / bfloat16.
CHECKPOINTS = {
    'resnet18': ['zip', 'legacy-wrapped', 'zip-views', 'zip-half', 'zip-bf16'],
    'resnet50': ['legacy'],
    'cifar20': ['legacy-wrapped'],
    'resnet50-v1': ['zip-model'],
    'resnet101-v1': ['legacy-wrapped'],
    'resnet152-v1': ['zip'],
}


def option_c(model):
    """Shortcut option C: a projection (1x1 conv + BN) on every block, not only where the shape changes."""
    for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
        for block in layer:
            if block.downsample is None:
                c = block.conv1.in_channels
                block.downsample = torch.nn.Sequential(torch.nn.Conv2d(c, c, 1, bias=False), torch.nn.BatchNorm2d(c))
    return model


class NotAResnet(torch.nn.Module):
    """A plain CNN (no residual connections): the converter must refuse it."""
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, 1, 1), torch.nn.ReLU(), torch.nn.Conv2d(8, 16, 3, 2, 1),
                                        torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(16, 10))

    def forward(self, x):
        return self.body(x)


def stride_in_1x1(model):
    """torchvision's bottleneck with its stride moved from the 3x3 to the first 1x1 (the original ResNet)."""
    for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
        for block in layer:
            if block.conv2.stride != (1, 1):
                block.conv1.stride, block.conv2.stride = block.conv2.stride, (1, 1)
    return model


def views(sd):
    """The same values, stored the awkward ways: one storage shared at offsets, 4-D weights strided (NHWC in memory)."""
    floats = [k for k, v in sd.items() if v.dtype == torch.float32]
    flat = torch.cat([sd[k].reshape(-1) for k in floats])
    out, at = collections.OrderedDict(), 0
    for k, v in sd.items():
        if v.dtype != torch.float32:
            out[k] = v
            continue
        t = flat[at:at + v.numel()].view(v.shape)
        at += v.numel()
        out[k] = t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) if t.dim() == 4 else t
    return out


def save_checkpoint(sd, path, variant):
    if variant.endswith('views'):
        sd = views(sd)
    elif variant.endswith('half'):
        sd = collections.OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in sd.items())
    elif variant.endswith('bf16'):
        sd = collections.OrderedDict((k, v.bfloat16() if v.is_floating_point() else v) for k, v in sd.items())
    obj = sd
    if variant.endswith('wrapped'):
        obj = {'state_dict': collections.OrderedDict(('module.' + k, v) for k, v in sd.items()), 'best_prec1': 71.25, 'epoch': 90}
    elif variant.endswith('model'):
        obj = {'model': sd, 'epoch': 300}
    torch.save(obj, path, _use_new_zipfile_serialization=not variant.startswith('legacy'))


def make_refused(out):
    """Tiny ResNet variants the converter must refuse by name: ResNeXt (grouped 3x3) and a Wide ResNet bottleneck."""
    from torchvision.models.resnet import Bottleneck, ResNet
    for name, kw in (('resnext-tiny', {'groups': 4, 'width_per_group': 16}), ('wide-tiny', {'width_per_group': 128})):
        model = randomize(ResNet(Bottleneck, [1, 1, 1, 1], num_classes=10, **kw), 7)
        safetensors_io.save(model.state_dict(), os.path.join(out, name + '.safetensors'), {'seed': 7})


def make_pretrained_checkpoints(out):
    """The paper's CIFAR ResNet-20/-32 as their authors' repository ships them: legacy torch.save of
    {'state_dict': {'module.' + key: tensor}, 'best_prec1': …}, rebuilt from the safetensors in ../shared."""
    d = os.path.join(out, 'cifar-pretrained')
    os.makedirs(d, exist_ok=True)
    for depth, prec in ((20, 91.73), (32, 92.63)):
        sd = safetensors_io.load(os.path.join(SHARED, 'models', 'cifar-resnet', f'resnet{depth}.safetensors'))
        obj = {'state_dict': collections.OrderedDict(('module.' + k, v) for k, v in sd.items()), 'best_prec1': prec}
        torch.save(obj, os.path.join(d, f'resnet{depth}.th'), _use_new_zipfile_serialization=False)


def randomize(model, seed):
    """Seeded weights; BatchNorm statistics and affine parameters far from identity."""
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
        elif isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.3)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.3, 1.2)
            m.bias.data.normal_(0, 0.2)
            m.num_batches_tracked.fill_(100)
        elif isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight, 0, 8.0 / m.in_features ** 0.5)
            m.bias.data.normal_(0, 0.1)
    # Keep the residual stream from growing without bound over 50 blocks: damp each branch's last BN.
    for m in model.modules():
        last = getattr(m, 'bn3', None) or (getattr(m, 'bn2', None) if hasattr(m, 'conv2') and not hasattr(m, 'conv3') else None)
        if last is not None and m is not model:
            last.weight.data.mul_(0.3)
    return model.eval()


def features_of(model, x):
    if isinstance(model, CifarResNet):
        return model.features(x)
    m = model
    x = m.maxpool(m.relu(m.bn1(m.conv1(x))))
    x = m.layer4(m.layer3(m.layer2(m.layer1(x))))
    return torch.flatten(m.avgpool(x), 1)


def to_input(path):
    img = Image.open(path).convert('RGB')
    return T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])(img).unsqueeze(0)


def make_inputs(out):
    chelsea = Image.open(os.path.join(SHARED, 'images', 'chelsea.png')).convert('RGB')
    T.CenterCrop(224)(chelsea).save(os.path.join(out, 'input-224.png'))
    T.Resize(32)(T.CenterCrop(300)(chelsea)).save(os.path.join(out, 'input-32.png'))


def make_preprocess(out):
    os.makedirs(os.path.join(out, 'preprocess'), exist_ok=True)
    tf = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(MEAN, STD)])
    for name in sorted(os.listdir(os.path.join(SHARED, 'images'))):
        if not name.endswith(('.png', '.jpg')):
            continue
        t = tf(Image.open(os.path.join(SHARED, 'images', name)).convert('RGB'))
        t.permute(1, 2, 0).contiguous().numpy().astype('<f4').tofile(os.path.join(out, 'preprocess', name + '.f32'))


def pattern_image(width, height):
    """A deterministic test image, reproduced bit for bit in tests/bad-input.test.ts."""
    y, x = np.mgrid[0:height, 0:width].astype(np.int64)
    chans = [((x // 50) * 37 + (y // 40) * 91 + c * 80 + ((x * y) // 977) % 64) % 256 for c in range(3)]
    return Image.fromarray(np.stack(chans, -1).astype(np.uint8), 'RGB')


def extreme_sizes(model, cifar):
    """Logits for a 1x1 and a 6000x4000 image through the pack's preprocessing (Resize + CenterCrop)."""
    size = 32 if cifar else 224
    tf = T.Compose([T.Resize(size), T.CenterCrop(size), T.ToTensor(), T.Normalize(MEAN, STD)])
    images = {'1x1': Image.new('RGB', (1, 1), (200, 120, 40)), '6000x4000': pattern_image(6000, 4000)}
    with torch.no_grad():
        return {k: model(tf(v).unsqueeze(0))[0].tolist() for k, v in images.items()}


def ten_crop(model, path):
    """torchvision's Resize(256) + TenCrop(224): per-crop probabilities in TenCrop order, and their mean."""
    img = T.Resize(256)(Image.open(path).convert('RGB'))
    img.save(os.path.join(OUT_DIR[0], 'tencrop-resized.png'))  # the Resize(256) image, for the one-by-one check
    norm = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
    batch = torch.stack([norm(c) for c in T.TenCrop(224)(img)])
    with torch.no_grad():
        probs = torch.softmax(model(batch).double(), 1)
    return {'image': os.path.basename(path), 'probabilities': probs.tolist(), 'mean': probs.mean(0).tolist()}


def make_orientations(out):
    """JPEGs carrying each EXIF orientation 1-8, and PIL's ImageOps.exif_transpose of each (raw RGB)."""
    d = os.path.join(out, 'orientation')
    os.makedirs(d, exist_ok=True)
    base = Image.open(os.path.join(SHARED, 'images', 'chelsea.png')).convert('RGB').resize((75, 50))
    meta = {}
    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        path = os.path.join(d, f'orient-{o}.jpg')
        base.save(path, 'JPEG', quality=90, exif=exif.tobytes())
        shown = ImageOps.exif_transpose(Image.open(path)).convert('RGB')
        np.asarray(shown).tofile(os.path.join(d, f'orient-{o}.rgb'))
        meta[o] = shown.size
    with open(os.path.join(d, 'sizes.json'), 'w') as f:
        json.dump(meta, f)


def make_model(out, name):
    build, seed, opset, fold = MODELS[name]
    model = randomize(build(), seed)
    cifar = isinstance(model, CifarResNet)
    x = to_input(os.path.join(out, 'input-32.png' if cifar else 'input-224.png'))
    with torch.no_grad():
        logits = model(x)
        feats = features_of(model, x)
    safetensors_io.save(model.state_dict(), os.path.join(out, name + '.safetensors'), {'seed': seed})
    for variant in CHECKPOINTS.get(name, []):
        save_checkpoint(model.state_dict(), os.path.join(out, f'{name}.{variant}.pth'), variant)
    if name == 'cifar20':
        torch.save(model, os.path.join(out, 'cifar20.module.pth'))  # a whole pickled nn.Module: refused
    # Exported in EVAL mode, torch folds BatchNorm into the convolutions; PRESERVE (the model is in eval mode)
    # keeps BatchNormalization nodes, as other exporters write them. Both kinds must convert.
    mode = torch.onnx.TrainingMode.EVAL if fold else torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(model, x, os.path.join(out, name + '.onnx'), opset_version=opset, do_constant_folding=fold,
                      training=mode, input_names=['input'], output_names=['logits'])
    ref = {
        'name': name, 'seed': seed, 'opset': opset, 'constantFolding': fold,
        'input': 'input-32.png' if cifar else 'input-224.png',
        'logits': logits[0].tolist(), 'probabilities': torch.softmax(logits[0].double(), 0).tolist(),
        'features': feats[0].tolist(),
        'extremeSizes': extreme_sizes(model, cifar) if name == 'cifar20' else None,
        'tenCrop': ten_crop(model, os.path.join(SHARED, 'images', 'chelsea.png')) if name == 'resnet18' else None,
    }
    with open(os.path.join(out, name + '.json'), 'w') as f:
        json.dump(ref, f)
    print(f'{name}: logits std {logits.std():.3f} max {logits.abs().max():.3f}, top-1 {int(logits.argmax())}', flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--only', default=','.join(MODELS))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    OUT_DIR[0] = args.out
    torch.set_num_threads(os.cpu_count() or 1)
    make_inputs(args.out)
    make_preprocess(args.out)
    make_orientations(args.out)
    make_pretrained_checkpoints(args.out)
    make_refused(args.out)
    for name in args.only.split(','):
        make_model(args.out, name)
    torch.onnx.export(NotAResnet().eval(), torch.zeros(1, 3, 32, 32), os.path.join(args.out, 'not-a-resnet.onnx'), opset_version=13)
    with open(os.path.join(args.out, 'VERSION'), 'w') as f:
        f.write(str(GENERATOR_VERSION))


if __name__ == '__main__':
    main()
