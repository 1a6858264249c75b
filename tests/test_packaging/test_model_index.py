# Copyright (c) mmpixpro contributors. All rights reserved.
"""model-index.yml lists every metafile; the metafiles describe every
config (epochs and batch as the config trains them) and mark the paper's
transfer results as the paper's."""
import glob
import os.path as osp
import re

import pytest
import yaml
from mmengine.config import Config
from modelindex.load_model_index import load
from pixpro_testing import ROOT

METAFILES = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '*', 'metafile.yml')))
METHOD_CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '*', '*.py'))
    if osp.basename(osp.dirname(p)) not in ('_base_', 'benchmarks'))
# bbox AP of the authors' ResNet-50 PixPro weights (ImageNet-1k), as the
# paper reports them: VOC Faster R-CNN C4; COCO Mask R-CNN 1x FPN and C4
PAPER_BOX_AP = {
    'faster-rcnn_r50-c4_pixpro-100e-pre_24k_voc0712': 58.8,
    'faster-rcnn_r50-c4_pixpro-400e-pre_24k_voc0712': 60.2,
    'mask-rcnn_r50-fpn_pixpro-100e-pre_1x_coco': 40.8,
    'mask-rcnn_r50-fpn_pixpro-ins-100e-pre_1x_coco': 41.3,
    'mask-rcnn_r50-fpn_pixpro-ins-400e-pre_1x_coco': 41.4,
    'mask-rcnn_r50-c4_pixpro-100e-pre_1x_coco': 40.0,
    'mask-rcnn_r50-c4_pixpro-400e-pre_1x_coco': 40.5,
}


def _read(path: str):
    with open(osp.join(ROOT, path)) as f:
        return yaml.safe_load(f)


def _models() -> dict:
    return {m['Name']: m for path in METAFILES for m in _read(path)['Models']}


def test_model_index_imports_every_metafile():
    assert len(METAFILES) >= 5
    assert sorted(_read('model-index.yml')['Import']) == METAFILES
    # mim reads it through modelindex: every model and collection parses
    index = load(osp.join(ROOT, 'model-index.yml'))
    assert {m.name for m in index.models} == set(_models())
    assert len(index.collections) == len(METAFILES)


def test_names_configs_collections_and_readmes_resolve():
    models = _models()
    collections = {c['Name']: c for path in METAFILES
                   for c in _read(path)['Collections']}
    for c in collections.values():
        assert osp.isfile(osp.join(ROOT, c['README'])), c['README']
        assert c['Paper']['URL'].startswith('https://arxiv.org/abs/')
    for name, m in models.items():
        assert osp.isfile(osp.join(ROOT, m['Config'])), name
        assert m['In Collection'] in collections, name
        for metadata in ('Batch Size', 'Training Data'):
            assert metadata in m['Metadata'], (name, metadata)
        for downstream in m.get('Downstream', []):
            assert downstream in models, (name, downstream)


@pytest.mark.parametrize('path', METHOD_CONFIGS)
def test_every_config_is_a_model_with_its_epochs_and_batch(path):
    by_config = {m['Config']: m for m in _models().values()}
    assert path in by_config, f'{path} is in no metafile'
    model = by_config[path]
    assert model['Name'] == osp.splitext(osp.basename(path))[0]
    cfg = Config.fromfile(osp.join(ROOT, path))
    assert model['Metadata']['Epochs'] == cfg.train_cfg.max_epochs
    # total batch: GPUs (the name's NxbM, 1 without) x images per GPU x
    # accumulated batches per optimizer step
    gpus = re.search(r'_(\d+)xb(\d+)', model['Name'])
    per_gpu = cfg.train_dataloader.batch_size
    if gpus:
        assert int(gpus.group(2)) == per_gpu
    accumulate = cfg.optim_wrapper.get('accumulative_counts', 1)
    total = (int(gpus.group(1)) if gpus else 1) * per_gpu * accumulate
    assert model['Metadata']['Batch Size'] == total


def test_results_are_the_papers_and_marked_so():
    models = _models()
    with_results = {n: m for n, m in models.items() if m.get('Results')}
    assert set(with_results) == set(PAPER_BOX_AP)
    for name, m in with_results.items():
        # no weights of ours: the numbers are the paper's, and say so
        assert m['Results Source'] == 'paper', name
        assert m['Weights'] is None
        assert m['Config'].startswith('configs/benchmarks/detectron2/')
        box = [r['Metrics'] for r in m['Results']
               if r['Task'] == 'Object Detection']
        assert box and box[0].get('AP', box[0].get('box AP')) == \
            PAPER_BOX_AP[name], name
        # each is the transfer of exactly one pretraining config
        parents = [p for p in models.values()
                   if name in p.get('Downstream', [])]
        assert len(parents) == 1, name
        # ... whose epochs and instance branch the name states
        assert f"-{parents[0]['Metadata']['Epochs']}e-" in name, name
        assert ('pixpro-ins-' in name) == \
            parents[0]['Name'].startswith('pixpro-ins'), name
    for name, m in models.items():
        if name not in with_results:
            assert 'Results Source' not in m, name
