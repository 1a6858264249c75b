# Copyright (c) mmpixpro contributors. All rights reserved.
"""End to end: tools/analysis_tools/visualize_similarity.py on a tiny
random-init ResNet-18 PixPro (configs/pixpro/pixpro_r18_demo.py)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from PIL import Image
from pixpro_testing import load_tool

from mmpixpro.registry import MODELS
from mmpixpro.visualization import pick_queries, query_candidates

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'analysis_tools' / 'visualize_similarity.py'
CONFIG = REPO / 'configs' / 'pixpro' / 'pixpro_r18_demo.py'


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools', 'analysis_tools', 'visualize_similarity.py')


@pytest.fixture(scope='module')
def assets(tmp_path_factory):
    """A random-init checkpoint and a data_root with 2 tiny images."""
    root = tmp_path_factory.mktemp('vis')
    torch.manual_seed(0)
    model = revert_sync_batchnorm(MODELS.build(Config.fromfile(CONFIG).model))
    ckpt = root / 'random_r18.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    data_root = root / 'images'
    (data_root / 'cls').mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i, (h, w) in enumerate([(72, 96), (80, 64)]):
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.stack([xx * 255 // w, yy * 255 // h, (xx * yy) % 256],
                       -1).astype(np.uint8)
        img[h // 4:h // 2, w // 4:w // 2] = rng.integers(0, 255, 3)
        Image.fromarray(img).save(data_root / 'cls' / f'im{i}.png')
    backbone_only = root / 'neck_only.pth'
    torch.save({'state_dict': {k: v for k, v in model.state_dict().items()
                               if k.startswith('neck.')}}, backbone_only)
    return dict(ckpt=ckpt, data_root=data_root, no_backbone=backbone_only,
                img=data_root / 'cls' / 'im0.png', model=model)


def assert_png(path: Path):
    assert path.is_file() and path.stat().st_size > 0
    with Image.open(path) as img:
        assert img.format == 'PNG'
        # three panels per row: wider than high for one query
        return img.size


@pytest.mark.slow
def test_cli_end_to_end_with_img(assets, tmp_path):
    out = tmp_path / 'sim.png'
    proc = subprocess.run(
        [sys.executable, str(TOOL), str(CONFIG), str(assets['ckpt']),
         '--out', str(out), '--img', str(assets['img']), '--num-queries', '2',
         '--size', '64'],
        capture_output=True, text=True, cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == str(out)
    assert_png(out)


def test_default_image_from_data_root_and_projector(tool, assets, tmp_path):
    out = tmp_path / 'sim_proj.png'
    ret = tool.main([
        str(CONFIG), str(assets['ckpt']), '--out', str(out), '--feature',
        'projector', '--num-queries', '1', '--size', '64', '--cfg-options',
        f"train_dataloader.dataset.data_root={assets['data_root']}"
    ])
    assert ret == str(out)
    width, height = assert_png(out)
    assert width > height


def test_errors_name_the_file(tool, assets, tmp_path):
    out = str(tmp_path / 'x.png')
    missing = str(tmp_path / 'missing.pth')
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        tool.main([str(CONFIG), missing, '--out', out, '--img',
                   str(assets['img'])])
    with pytest.raises(ValueError, match='neck_only.pth.*backbone'):
        tool.main([str(CONFIG), str(assets['no_backbone']), '--out', out,
                   '--img', str(assets['img'])])
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='empty'):
        tool.main([str(CONFIG), str(assets['ckpt']), '--out', out,
                   '--cfg-options',
                   f'train_dataloader.dataset.data_root={empty}'])


def test_features_use_the_model_normalisation(tool, assets):
    model = assets['model'].eval()
    rng = np.random.default_rng(1)
    views = [rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
             for _ in range(2)]
    feats = tool.extract_features(model, views, 'backbone', -1)
    mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
    std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
    with torch.no_grad():
        x = torch.from_numpy(views[1]).permute(2, 0, 1)[None].float()
        expected = model.backbone((x - mean) / std)[-1][0]
    assert feats[1].shape == (512, 2, 2)
    assert torch.allclose(feats[1], expected, atol=1e-4)


def test_chosen_queries_have_positives(tool, assets):
    img = np.asarray(Image.open(assets['img']).convert('RGB'))
    np.random.seed(0)
    transforms = tool.make_view_transforms(64)
    first = tool.draw_pair(img, transforms)
    pair, cands = tool.choose_pair(img, transforms, first, (2, 2), 2, 0.7)
    assert len(cands) >= 2
    np.testing.assert_array_equal(
        cands, query_candidates(pair[2], (2, 2), 0.7))
    queries = pick_queries(cands, (2, 2), 2, np.random.default_rng(0))
    assert len(set(queries)) == 2
    assert all(r * 2 + c in set(cands.tolist()) for r, c in queries)
