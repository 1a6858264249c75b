# Copyright (c) mmpixpro contributors. All rights reserved.
"""Helpers shared by every test folder: tiny images, tiny models and
configs, tool runs, logs.

Import as ``from pixpro_testing import ...`` (``tests/`` is on ``sys.path``
through ``tests/conftest.py``). Fixtures built on them are in
``tests/conftest.py``.
"""
import glob
import importlib.util
import itertools
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.structures import DataSample
from PIL import Image

from mmpixpro.registry import MODELS
from mmpixpro.utils import setup_amp

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
TESTS = osp.join(ROOT, 'tests')
PROBES = osp.join(TESTS, 'test_reliability')  # reliability_probe.py
_RUN_IDS = itertools.count()
DEMO = osp.join(ROOT, 'configs', 'pixpro', 'pixpro_r18_demo.py')
# crop boxes of two views: the whole image and an inner part
BOXES = torch.tensor([[0.0, 0.0, 1.0, 1.0], [0.2, 0.1, 0.9, 0.8]])


# mmdet 3.x FPN(in_channels=[256, 512, 1024, 2048], out_channels=256,
# num_outs=5) -- Mask R-CNN / Faster R-CNN R50-FPN -- written out by hand
# (mmdet cannot be installed beside this stack)
MMDET_MASK_RCNN_FPN = {
    'lateral_convs.0.conv.weight': (256, 256, 1, 1),
    'lateral_convs.0.conv.bias': (256, ),
    'lateral_convs.1.conv.weight': (256, 512, 1, 1),
    'lateral_convs.1.conv.bias': (256, ),
    'lateral_convs.2.conv.weight': (256, 1024, 1, 1),
    'lateral_convs.2.conv.bias': (256, ),
    'lateral_convs.3.conv.weight': (256, 2048, 1, 1),
    'lateral_convs.3.conv.bias': (256, ),
    'fpn_convs.0.conv.weight': (256, 256, 3, 3),
    'fpn_convs.0.conv.bias': (256, ),
    'fpn_convs.1.conv.weight': (256, 256, 3, 3),
    'fpn_convs.1.conv.bias': (256, ),
    'fpn_convs.2.conv.weight': (256, 256, 3, 3),
    'fpn_convs.2.conv.bias': (256, ),
    'fpn_convs.3.conv.weight': (256, 256, 3, 3),
    'fpn_convs.3.conv.bias': (256, ),
}


def subprocess_env(*paths: str, **extra: str) -> dict:
    """This process's environment for a child: ``paths`` put in front of
    ``PYTHONPATH`` (kept, so packages installed with ``--target`` stay
    importable), ``extra`` variables set."""
    old = os.environ.get('PYTHONPATH')
    python_path = os.pathsep.join([*paths, *([old] if old else [])])
    return dict(os.environ, PYTHONPATH=python_path, **extra)


def run_train(config, work_dir, options=(), extra=(), timeout: int = 300,
              paths=(PROBES, )) -> subprocess.CompletedProcess:
    """Run tools/train.py in a subprocess (output captured).

    Args:
        config (str): Config path.
        work_dir: Its ``--work-dir``.
        options (Sequence[str]): ``--cfg-options`` key=value pairs.
        extra (Sequence[str]): More arguments before the options.
        timeout (int): Seconds.
        paths (Sequence[str]): Folders put on ``PYTHONPATH`` after the
            repository root. Defaults to the folder of the test probes
            (``reliability_probe``) that configs import.

    Returns:
        subprocess.CompletedProcess: The finished run.
    """
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), str(config),
           '--work-dir', str(work_dir), *extra]
    if options:
        cmd += ['--cfg-options', *options]
    return subprocess.run(cmd, cwd=ROOT, env=subprocess_env(ROOT, *paths),
                          capture_output=True, text=True, timeout=timeout)


def make_images(folder, num: int, seed: int = 0):
    """Write ``num`` small structured RGB JPEGs (gradients + a square).

    Args:
        folder (str | Path): Where to write (created if missing).
        num (int): How many images.
        seed (int): Seed of their sizes and squares.

    Returns:
        The ``folder`` argument.
    """
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for i in range(num):
        h, w = int(rng.integers(90, 140)), int(rng.integers(90, 140))
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.stack([xx * 255 // w, yy * 255 // h,
                        np.full_like(xx, 40 * i % 255)], -1).astype(np.uint8)
        y0, x0 = int(rng.integers(0, h // 2)), int(rng.integers(0, w // 2))
        img[y0:y0 + h // 3, x0:x0 + w // 3] = rng.integers(0, 255, 3)
        Image.fromarray(img).save(
            osp.join(str(folder), f'img_{i}.jpg'), quality=95)
    return folder


def tiny_run_cfg(cfg, data_root, work_dir, max_epochs: int = 1,
                 batch_size: int = 2, checkpoints: bool = True) -> Config:
    """A config made tiny for a CPU run: no workers, log every iteration.

    Args:
        cfg (Config | str): The config, or its path.
        data_root (str | Path): Folder of training images.
        work_dir (str | Path): The run's work directory.
        max_epochs (int): Epochs to train. Defaults to 1.
        batch_size (int): Images per batch. Defaults to 2.
        checkpoints (bool): A checkpoint every epoch (the last 5 kept);
            False writes none. Defaults to True.

    Returns:
        Config: A config ready for ``RUNNERS.build``.
    """
    cfg = Config.fromfile(cfg) if isinstance(cfg, str) else cfg
    cfg.merge_from_dict({
        'train_dataloader.dataset.data_root': str(data_root),
        'train_dataloader.batch_size': batch_size,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': max_epochs,
        'default_hooks.logger.interval': 1,
        'env_cfg.dist_cfg.backend': 'gloo',
    })
    cfg.merge_from_dict({
        'default_hooks.checkpoint.interval': 1,
        'default_hooks.checkpoint.max_keep_ckpts': 5,
    } if checkpoints else {
        'default_hooks.checkpoint.interval': 10**6,
        'default_hooks.checkpoint.save_last': False,
    })
    cfg.work_dir = str(work_dir)
    # mmengine keys its visualizer and logger instances by the experiment
    # name (config name + second): runners built within one second would
    # share them, so every test runner gets a name of its own
    cfg.experiment_name = f'run_{next(_RUN_IDS)}'
    setup_amp(cfg)
    return cfg


# queues longer than this are cut to it for the tiny runs (the
# 65536 x 2048 backbone-feature queue of "Revisiting" alone is 512 MiB)
TINY_QUEUE = 256
# the view transforms whose ``size`` is scaled down
SIZED_VIEWS = ('RandomResizedCropWithBox', 'FullImageWithBox')


def shorten_queues(node) -> None:
    """Cut every ``queue_len`` of a model config to :data:`TINY_QUEUE`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == 'queue_len' and value > TINY_QUEUE:
                node[key] = TINY_QUEUE
            else:
                shorten_queues(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            shorten_queues(item)


def tiny_config(path, data_root, work_dir, crop: int = 64,
                max_epochs: int = 1, batch_size: int = 2,
                checkpoints: bool = False) -> Config:
    """Any config of ``configs/`` made tiny (:func:`tiny_run_cfg`): its
    largest views at ``crop`` px, queues cut to :data:`TINY_QUEUE`, no
    dense probe.

    Args:
        path (str | Config): The config, or its path (relative to
            ``configs/`` or absolute).
        data_root (str | Path): Folder of training images.
        work_dir (str | Path): The run's work directory.
        crop (int): Size of the largest views. Defaults to 64.
        max_epochs, batch_size, checkpoints: As :func:`tiny_run_cfg`
            (checkpoints default to none here).

    Returns:
        Config: A config ready for ``RUNNERS.build``.
    """
    if isinstance(path, str):
        path = osp.join(ROOT, 'configs', path)  # unchanged when absolute
    cfg = tiny_run_cfg(path, data_root, work_dir, max_epochs, batch_size,
                       checkpoints)
    # the largest views at ``crop`` px, smaller ones scaled alike (to a
    # multiple of 32, at least 32): 2 x 224 + 6 x 96 -> 2 x 64 + 6 x 32
    crops = [t for step in cfg.train_dataloader.dataset.pipeline
             for view in step.get('view_pipelines', []) for t in view
             if t.type in SIZED_VIEWS]
    largest = max(t.size for t in crops)
    for t in crops:
        t.size = max(32, 32 * round(t.size * crop / largest / 32))
    shorten_queues(cfg.model)
    # the demos' dense probe reads data/dense when it is there (here, not in
    # CI): it is tested on its own, not in every tiny run
    cfg.custom_hooks = [hook for hook in cfg.get('custom_hooks', [])
                        if hook['type'] != 'DenseProbeHook']
    return cfg


def demo_cfg(data_root, work_dir, max_epochs: int = 1,
             batch_size: int = 2) -> Config:
    """The PixPro demo config made tiny (:func:`tiny_config`: views of 64
    px, a checkpoint every epoch), without the demo's dense probe (it needs
    ``data/dense``; its own tests add it back).

    Args:
        data_root (str | Path): Folder of training images.
        work_dir (str | Path): The run's work directory.
        max_epochs (int): Epochs to train. Defaults to 1.
        batch_size (int): Images per batch. Defaults to 2.

    Returns:
        Config: A config ready for ``RUNNERS.build``.
    """
    return tiny_config(DEMO, data_root, work_dir, max_epochs=max_epochs,
                       batch_size=batch_size, checkpoints=True)


def _rows(path: str, key: str) -> list:
    with open(path) as f:
        return [row for row in map(json.loads, f) if key in row]


def _scalar_files(work_dir) -> list:
    return sorted(
        glob.glob(osp.join(str(work_dir), '*', 'vis_data', 'scalars.json')))


def last_run_rows(work_dir) -> list:
    """Logged training rows (with a loss) of the newest run, in order."""
    return scalar_rows(work_dir, 'loss')


def rows_by_iter(work_dir) -> dict:
    """Logged training rows of every run in ``work_dir``, by iteration."""
    return {
        row['iter']: row
        for path in _scalar_files(work_dir) for row in _rows(path, 'loss')
    }


def make_voc_set(folder, num_train: int = 6, num_test: int = 4,
                 size: int = 64, seed: int = 0):
    """Write a tiny VOC-layout segmentation set (3 classes: background and
    two colours of squares) with ``classes.json``.

    Args:
        folder (str | Path): Dataset root (created).
        num_train (int): Pairs in ``train``.
        num_test (int): Pairs in ``test``.
        size (int): Image side.
        seed (int): Seed of the squares.

    Returns:
        str: The root.
    """
    rng = np.random.default_rng(seed)
    root = str(folder)
    for sub in ('JPEGImages', 'SegmentationClass',
                osp.join('ImageSets', 'Segmentation')):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    with open(osp.join(root, 'classes.json'), 'w') as f:
        json.dump({'classes': ['background', 'red', 'blue']}, f)
    colours = {1: (220, 30, 30), 2: (30, 30, 220)}
    for split, num in (('train', num_train), ('test', num_test)):
        names = [f'{split}_{i}' for i in range(num)]
        for name in names:
            img = rng.integers(90, 160, (size, size, 3)).astype(np.uint8)
            label = np.zeros((size, size), np.uint8)
            for cls, colour in colours.items():
                side = int(rng.integers(size // 4, size // 2))
                y, x = rng.integers(0, size - side, 2)
                img[y:y + side, x:x + side] = colour
                label[y:y + side, x:x + side] = cls
            Image.fromarray(img).save(
                osp.join(root, 'JPEGImages', name + '.jpg'))
            Image.fromarray(label).save(
                osp.join(root, 'SegmentationClass', name + '.png'))
        with open(osp.join(root, 'ImageSets', 'Segmentation',
                           split + '.txt'), 'w') as f:
            f.write('\n'.join(names) + '\n')
    return root


def scalar_rows(work_dir, key: str) -> list:
    """Rows of the newest run's ``scalars.json`` that hold ``key``."""
    return _rows(_scalar_files(work_dir)[-1], key)


def random_image(height: int, width: int, seed: int = 0) -> np.ndarray:
    """Random RGB ``uint8`` image of shape (height, width, 3).

    Args:
        height (int): Image height.
        width (int): Image width.
        seed (int): Seed of the pixel values. Defaults to 0.

    Returns:
        np.ndarray: The image.
    """
    return np.random.default_rng(seed).integers(
        0, 256, size=(height, width, 3), dtype=np.uint8)


def write_image(path,
                height: int = 48,
                width: int = 64,
                seed: int = 0) -> np.ndarray:
    """Write a random RGB image; the format follows the extension.

    Args:
        path (str | os.PathLike): Destination; PNG unless it ends with
            .jpg/.jpeg (PNG keeps pixels exact).
        height (int): Image height. Defaults to 48.
        width (int): Image width. Defaults to 64.
        seed (int): Seed of the pixel values. Defaults to 0.

    Returns:
        np.ndarray: The image written.
    """
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    img = random_image(height, width, seed)
    is_jpeg = str(path).lower().endswith(('.jpg', '.jpeg'))
    Image.fromarray(img).save(str(path), format='JPEG' if is_jpeg else 'PNG')
    return img


def tiny_pixpro_cfg(depth: int = 18, hid: int = 64, out: int = 32,
                    **kwargs) -> dict:
    """A PixPro config with a ResNet of ``depth`` and a small projector.

    Args:
        depth (int): ResNet depth. Defaults to 18.
        hid (int): Projector hidden channels. Defaults to 64.
        out (int): Projector output channels. Defaults to 32.
        **kwargs: Replace keys of the model config.

    Returns:
        dict: The model config.
    """
    cfg = dict(
        type='PixPro',
        backbone=dict(type='ResNet', depth=depth),
        neck=dict(
            type='PixelMLPNeck',
            in_channels=512 if depth < 50 else 2048,
            hid_channels=hid,
            out_channels=out),
        head=dict(type='PixelPropagationHead', in_channels=out))
    cfg.update(kwargs)
    return cfg


def build(cfg: dict):
    """Build a model from its config and initialise its weights."""
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def build_trained_like_pixpro(depth: int):
    """A tiny PixPro whose momentum copy differs from the online network
    and whose BN statistics are non-trivial, as after training."""
    model = build(tiny_pixpro_cfg(depth, 16, 8, channels_last=False))
    with torch.no_grad():
        for param in model.target_net.parameters():
            param.add_(torch.randn_like(param))
        for name, buf in [*model.backbone.named_buffers(),
                          *model.target_net.named_buffers()]:
            if name.endswith('running_mean'):
                buf.normal_()
            elif name.endswith('running_var'):
                buf.uniform_(0.5, 2.0)
    return model


def assert_tensors_equal(a, b, where: str) -> int:
    """Nested checkpoint parts (dicts, lists, tensors, numbers) agree:
    tensors within 1e-6, floats within 1e-9, everything else exactly.

    Returns:
        int: How many tensors were compared.
    """
    if isinstance(a, torch.Tensor):
        assert torch.allclose(a.double(), b.double(), rtol=0,
                              atol=1e-6), where
        return 1
    if isinstance(a, dict):
        assert set(a) == set(b), where
        return sum(assert_tensors_equal(a[k], b[k], f'{where}.{k}')
                   for k in a)
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        return sum(assert_tensors_equal(x, y, f'{where}[{i}]')
                   for i, (x, y) in enumerate(zip(a, b)))
    if isinstance(a, float):
        assert a == pytest.approx(b, abs=1e-9), where
    else:
        assert a == b, where
    return 0


@contextmanager
def scratch_dir(tmp_path_factory, name: str):
    """A folder for a module- or session-scoped fixture, removed when the
    fixture is torn down (``with scratch_dir(...) as tmp: ...; yield``).

    pytest removes a passed test's ``tmp_path`` at once but keeps
    ``tmp_path_factory`` folders to the end of the session; fixtures that
    write checkpoints (45-250 MB each) would pile up gigabytes on CI's
    disk.
    """
    path = tmp_path_factory.mktemp(name)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def save_training_checkpoint(state_dict, path) -> str:
    """Write a checkpoint the way the Runner does (state_dict + meta)."""
    torch.save({'state_dict': state_dict, 'meta': {'epoch': 1}}, str(path))
    return str(path)


def two_views(n: int = 2, size: int = 64, boxes=BOXES):
    """Random views (two tensors of (n, 3, size, size)) and data samples
    that carry ``boxes`` as their crop boxes."""
    inputs = [torch.randn(n, 3, size, size) for _ in range(2)]
    samples = []
    for _ in range(n):
        sample = DataSample()
        sample.set_field(boxes.clone(), 'crop_boxes')
        samples.append(sample)
    return inputs, samples


def write_config(path, body: str) -> str:
    """Write a config that inherits the demo config plus ``body``."""
    with open(path, 'w') as f:
        f.write(f'_base_ = [{DEMO!r}]\n{body}')
    return str(path)


def read_log(work_dir) -> str:
    """Text of the last run's log file."""
    files = sorted(glob.glob(osp.join(str(work_dir), '*', '*.log')))
    with open(files[-1]) as f:
        return f.read()


def load_tool(*parts: str):
    """Import a script of the repository as a module.

    Args:
        *parts (str): Its path below the repository root, e.g.
            ``'tools', 'train.py'``.
    """
    name = 'mmpixpro_tool_' + osp.splitext(parts[-1])[0]
    spec = importlib.util.spec_from_file_location(name,
                                                  osp.join(ROOT, *parts))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_train_tool():
    """Import tools/train.py as a module."""
    return load_tool('tools', 'train.py')
