# Copyright (c) mmpixpro contributors. All rights reserved.
"""Show which pixels of one view a pixel of the other view is similar to.

Two random crops (with flips) of one image are passed through the trained
network; for a few query bins of view A the cosine similarity to every bin
of view B is drawn over view B, with the original image, both crop boxes and
PixPro's positive bins of each query. Only geometric augmentation is used.

Examples:
    python tools/analysis_tools/visualize_similarity.py \\
        configs/pixpro/pixpro_r18_demo.py work_dirs/demo/epoch_12.pth \\
        --out sim.png
    python tools/analysis_tools/visualize_similarity.py CONFIG CKPT \\
        --out sim.png --img photo.jpg --feature projector --num-queries 6
"""
import argparse
import os.path as osp
import sys
from typing import List, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.model import revert_sync_batchnorm
from torch import nn

from mmpixpro.checkpoint import load_state_dict
from mmpixpro.registry import DATASETS, MODELS, TRANSFORMS
from mmpixpro.utils import register_all_modules
from mmpixpro.visualization import (cosine_similarity_maps,
                                    draw_similarity_figure, pick_queries,
                                    query_candidates)

DEFAULT_CROP_SIZE = 224
MAX_VIEW_DRAWS = 20  # redraws to find a pair of views with enough overlap


def parse_args(argv: Sequence[str] = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description='Draw cosine-similarity maps between two views')
    parser.add_argument('config', help='config file of the model')
    parser.add_argument('checkpoint', help='checkpoint with backbone.* keys')
    parser.add_argument('--out', required=True, help='output PNG file')
    parser.add_argument(
        '--img',
        help='image to use (default: the first image of the config\'s '
        'train_dataloader.dataset)')
    parser.add_argument(
        '--num-queries', type=int, default=4, help='query bins of view A')
    parser.add_argument(
        '--size',
        type=int,
        help='crop size of the views (default: the config\'s crop_size, '
        f'else {DEFAULT_CROP_SIZE})')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of crops and queries')
    parser.add_argument(
        '--feature',
        choices=['backbone', 'projector'],
        default='backbone',
        help='backbone C5 map or online projector output x')
    parser.add_argument(
        '--level',
        type=int,
        default=-1,
        help='which output level (of the backbone or projector); default: '
        'the last')
    parser.add_argument(
        '--threshold',
        type=float,
        default=0.7,
        help='distance threshold T of the positive bins')
    parser.add_argument(
        '--auto-range',
        action='store_true',
        help='colour each map from its own min to max instead of [-1, 1]')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'train_dataloader.dataset.data_root=DIR')
    args = parser.parse_args(argv)
    if args.num_queries < 1:
        parser.error('--num-queries must be >= 1')
    return args


def load_weights(model: nn.Module, path: str, feature: str) -> List[str]:
    """Load a checkpoint's ``state_dict`` into the model.

    The backbone weights (and, for ``feature='projector'``, the neck) must
    all be there; other missing keys (e.g. ``target_net.*`` of an exported
    backbone) are allowed and returned.

    Args:
        model (nn.Module): The PixPro model.
        path (str): Checkpoint file.
        feature (str): 'backbone' or 'projector'.

    Returns:
        list[str]: Model keys that the checkpoint did not have.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If required weights are missing.
    """
    state = load_state_dict(path)  # weights only, 'module.' removed
    required = ['backbone.'] + (['neck.'] if feature == 'projector' else [])
    for prefix in required:
        if not any(k.startswith(prefix) for k in state):
            raise ValueError(f'checkpoint {path!r} has no {prefix}* weights '
                             f'(found keys like {sorted(state)[:3]})')
    result = model.load_state_dict(state, strict=False)
    missing_required = [
        k for k in result.missing_keys
        if any(k.startswith(p) for p in required)
    ]
    if missing_required:
        raise ValueError(f'checkpoint {path!r} lacks {len(missing_required)} '
                         f'required weights, e.g. {missing_required[:3]}')
    if result.unexpected_keys:
        raise ValueError(f'checkpoint {path!r} has keys that the model '
                         f'does not: {result.unexpected_keys[:3]}; does the '
                         'config match the checkpoint?')
    return list(result.missing_keys)


def default_image(cfg: Config) -> str:
    """The first image of the config's training dataset.

    Args:
        cfg (Config): The config.

    Returns:
        str: Path of the image.

    Raises:
        FileNotFoundError: If the dataset has no image (or no folder).
    """
    ds_cfg = cfg.get('train_dataloader', {}).get('dataset')
    if ds_cfg is None:
        raise FileNotFoundError(
            'the config has no train_dataloader.dataset; pass --img')
    ds_cfg = dict(ds_cfg, pipeline=[])
    where = ds_cfg.get('data_root', '')
    try:
        dataset = DATASETS.build(ds_cfg)
        if len(dataset) == 0:
            raise ValueError('the dataset is empty')
    except (FileNotFoundError, ValueError) as err:
        raise FileNotFoundError(
            f'no image found under data_root {where!r} ({err}); pass --img '
            'or --cfg-options train_dataloader.dataset.data_root=DIR') from err
    return dataset.get_data_info(0)['img_path']


def build_model(cfg: Config, checkpoint: str, feature: str,
                device: str) -> nn.Module:
    """Build the model, load its weights, switch to eval mode.

    Args:
        cfg (Config): The config.
        checkpoint (str): Checkpoint file.
        feature (str): 'backbone' or 'projector'.
        device (str): Torch device.

    Returns:
        nn.Module: The model in eval mode.
    """
    if 'model' not in cfg:
        raise ValueError(f'config {cfg.filename!r} has no model')
    model = revert_sync_batchnorm(MODELS.build(cfg.model))
    if not (hasattr(model, 'backbone') and hasattr(model, 'project')):
        raise ValueError(f'{type(model).__name__} has no backbone/project: '
                         'this tool needs a PixPro-style model')
    load_weights(model, checkpoint, feature)
    return model.to(device).eval()


def make_view_transforms(size: int) -> List:
    """Crop-with-box and flip-with-box transforms of one view.

    Args:
        size (int): Crop size.

    Returns:
        list: The two transforms, built through mmpixpro's TRANSFORMS.
    """
    return [
        TRANSFORMS.build(dict(type='RandomResizedCropWithBox', size=size)),
        TRANSFORMS.build(dict(type='RandomHorizontalFlipWithBox', prob=0.5)),
    ]


def draw_view(img: np.ndarray, transforms: Sequence) -> Tuple[np.ndarray,
                                                              np.ndarray]:
    """One random view of ``img`` and its crop box.

    Args:
        img (np.ndarray): Original RGB image, (H, W, 3) ``uint8``.
        transforms (Sequence): From :func:`make_view_transforms`.

    Returns:
        tuple[np.ndarray, np.ndarray]: The view (S, S, 3) and its box (4,).
    """
    results = dict(img=img.copy(), img_shape=img.shape[:2])
    for t in transforms:
        results = t(results)
    return results['img'], np.asarray(results['crop_box'], np.float32)


def draw_pair(img: np.ndarray, transforms: Sequence) -> Tuple:
    """Two independent random views of ``img``.

    Args:
        img (np.ndarray): Original image.
        transforms (Sequence): From :func:`make_view_transforms`.

    Returns:
        tuple: ``(view_a, view_b, boxes)``, boxes of shape (2, 4).
    """
    (view_a, box_a), (view_b, box_b) = (draw_view(img, transforms),
                                        draw_view(img, transforms))
    return view_a, view_b, np.stack([box_a, box_b])


def choose_pair(img: np.ndarray, transforms: Sequence, first: Tuple,
                feat_size: Tuple[int, int], num_queries: int,
                threshold: float) -> Tuple[Tuple, np.ndarray]:
    """Keep ``first`` if enough of its bins have positives, else redraw.

    Up to :data:`MAX_VIEW_DRAWS` pairs are tried in all; the pair with the
    most query bins having a positive wins (the first that reaches
    ``num_queries`` stops the search).

    Args:
        img (np.ndarray): Original image.
        transforms (Sequence): From :func:`make_view_transforms`.
        first (tuple): A pair from :func:`draw_pair`.
        feat_size (tuple[int, int]): Feature size of a view.
        num_queries (int): Wanted number of queries.
        threshold (float): Distance threshold T.

    Returns:
        tuple: The chosen pair and its candidate query bins.
    """
    pair, best = first, None
    for _ in range(MAX_VIEW_DRAWS):
        cands = query_candidates(pair[2], feat_size, threshold)
        if best is None or len(cands) > len(best[1]):
            best = (pair, cands)
        if len(cands) >= num_queries:
            break
        pair = draw_pair(img, transforms)
    return best


@torch.no_grad()
def extract_features(model: nn.Module, views: Sequence[np.ndarray],
                     feature: str, level: int) -> List[torch.Tensor]:
    """Feature maps of the views, normalised by the model's preprocessor.

    The views go through the network as one batch, which in eval mode (BN
    running statistics) equals passing them one by one.

    Args:
        model (nn.Module): PixPro in eval mode.
        views (Sequence[np.ndarray]): RGB ``uint8`` views of one size,
            (S, S, 3) each.
        feature (str): 'backbone' (C5) or 'projector' (online x).
        level (int): Output level to use.

    Returns:
        list[Tensor]: One (C, h, w) map per view, on the CPU.
    """
    device = next(model.parameters()).device
    batch = torch.stack([
        torch.from_numpy(np.ascontiguousarray(v)).permute(2, 0, 1)
        for v in views
    ])  # (V, 3, S, S) uint8
    data = model.data_preprocessor(dict(inputs=[batch], data_samples=None))
    x = data['inputs'][0].to(device)
    outs = model.backbone(x) if feature == 'backbone' else model.project(x)
    return list(outs[level].float().cpu())


def crop_size_of(cfg: Config, override: int = None) -> int:
    """``--size``, else the config's ``crop_size``, else 224."""
    if override is not None:
        return override
    return int(cfg.get('crop_size', DEFAULT_CROP_SIZE))


def main(argv: Sequence[str] = None) -> str:
    """Run the tool; returns the path of the figure."""
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    img_path = args.img or default_image(cfg)
    if not osp.isfile(img_path):
        raise FileNotFoundError(f'image {img_path!r} does not exist')
    model = build_model(cfg, args.checkpoint, args.feature, args.device)

    loader = TRANSFORMS.build(dict(type='LoadRGBImageFromFile'))
    original = loader(dict(img_path=img_path))['img']
    transforms = make_view_transforms(crop_size_of(cfg, args.size))

    np.random.seed(args.seed)  # the transforms draw from np.random
    first = draw_pair(original, transforms)
    feats = extract_features(model, first[:2], args.feature, args.level)
    feat_size = tuple(feats[0].shape[1:])
    pair, cands = choose_pair(original, transforms, first, feat_size,
                              args.num_queries, args.threshold)
    if pair is not first:
        feats = extract_features(model, pair[:2], args.feature, args.level)
    view_a, view_b, boxes = pair
    feat_a, feat_b = feats
    queries = pick_queries(cands, feat_size, args.num_queries,
                           np.random.default_rng(args.seed))
    sims = cosine_similarity_maps(feat_a, feat_b, queries)
    out = draw_similarity_figure(
        view_a,
        view_b,
        sims,
        queries,
        feat_size,
        args.out,
        original=original,
        boxes=boxes,
        threshold=args.threshold,
        value_range=None if args.auto_range else (-1.0, 1.0))
    print(out)
    return out


if __name__ == '__main__':
    try:
        main()
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f'error: {error}')
