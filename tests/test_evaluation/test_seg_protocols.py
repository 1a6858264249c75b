# Copyright (c) mmpixpro contributors. All rights reserved.
"""Frozen segmentation by protocol: the ADE20K and COCO-Stuff layouts on
tiny folders, bounded feature memory, and the seg-linear-* presets."""
import numpy as np
import pytest
import torch
from oracle import PATCH, K, OracleBackbone, make_split
from PIL import Image
from pixpro_testing import make_voc_set

from mmpixpro.evaluation import (DenseSegDataset, StreamedFeatures,
                                 run_dense_probe, run_protocol)


def write_pair(img_path, label_path, label):
    img_path.parent.mkdir(parents=True, exist_ok=True)
    label_path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros(label.shape + (3, ), np.uint8)).save(img_path)
    Image.fromarray(label.astype(np.uint8)).save(label_path)


def test_ade20k_layout(tmp_path):
    root = tmp_path / 'ADEChallengeData2016'
    label = np.array([[0, 1], [150, 7]])
    write_pair(root / 'images' / 'training' / 'ADE_train_1.jpg',
               root / 'annotations' / 'training' / 'ADE_train_1.png', label)
    for split in ('train', 'training'):  # the alias names the folder
        ds = DenseSegDataset(str(root), split, layout='ade20k')
        assert len(ds) == 1 and ds.num_classes == 150
        # ids 1..150 -> 0..149, 0 ("other") -> ignore
        assert ds[0][1].tolist() == [[255, 0], [149, 6]]
    assert ds.classes[0] == 'wall' and ds.classes[149] == 'flag'


def test_coco_stuff_layout_raw_maps(tmp_path):
    # stuffthingmaps: value = COCO id - 1. 0 person -> 0; 11 (COCO id 12,
    # unused) -> ignore; 12 stop sign -> 11; 90 (id 91, unused) -> ignore;
    # 91 banner (first stuff) -> 80; 181 wood (last) -> 170; 255 -> 255
    values = np.array([[0, 11, 12, 90], [91, 181, 255, 89]])
    write_pair(tmp_path / 'images' / 'val2017' / '000000000139.jpg',
               tmp_path / 'stuffthingmaps_trainval2017' / 'val2017' /
               '000000000139.png', values)
    ds = DenseSegDataset(str(tmp_path), 'val', layout='cocostuff')
    assert ds.num_classes == 171
    assert ds[0][1].tolist() == [[0, 255, 11, 255], [80, 170, 255, 79]]
    assert (ds.classes[0], ds.classes[11], ds.classes[79], ds.classes[80],
            ds.classes[170]) == ('person', 'stop sign', 'toothbrush',
                                 'banner', 'wood')


def test_coco_stuff_layout_train_ids(tmp_path):
    # mmseg's converted maps are already the 171 ids: read as they are
    values = np.array([[0, 11], [170, 255]])
    write_pair(tmp_path / 'images' / 'train2017' / '1.jpg',
               tmp_path / 'annotations' / 'train2017' /
               '1_labelTrainIds.png', values)
    ds = DenseSegDataset(str(tmp_path), 'train2017', layout='cocostuff')
    assert ds[0][1].tolist() == values.tolist()


def test_stream_holds_at_most_the_cap_as_the_set_grows():
    # one oracle feature map: K x 4 x 4 float32 = 192 B, label 32 x 32
    # uint8 = 1 KiB; cap: 5 items
    item = K * 4 * 4 * 4 + 32 * 32
    cap = 5 * item
    for num in (4, 40):
        stream = StreamedFeatures(OracleBackbone(), make_split(0, num),
                                  batch_size=4, cache_bytes=cap)
        stream.warm()
        for _ in range(3):  # passes over the data
            feats, labels = stream.fetch(torch.randperm(num)[:8].tolist())
            assert feats.shape[1:] == (K, 4, 4)
        assert stream.peak_bytes <= cap
        assert stream.peak_bytes == min(num, 5) * item
    assert stream.extracted > 40  # beyond the cap: recomputed


def test_bounded_probe_equals_held_probe():
    data = {'train': make_split(0, 16, 4 * PATCH),
            'test': make_split(1, 8, 4 * PATCH)}
    cfg = dict(epochs=12, lr=0.1, batch_size=8, knn=False)
    held = run_dense_probe(OracleBackbone(), data, cfg)
    total = held['memory']['train_bytes_held']
    bounded = run_dense_probe(OracleBackbone(), data,
                              dict(cfg, cache_bytes=total // 3))
    assert bounded['memory']['train_bytes_held'] <= total // 3
    assert bounded['memory']['train_images_forwarded'] > 16 * 2
    assert bounded['mIoU'] == pytest.approx(held['mIoU'])
    assert bounded['mIoU'] > 0.9
    with pytest.raises(ValueError, match='kNN readout holds'):
        run_dense_probe(OracleBackbone(), data,
                        dict(cfg, knn=True, cache_bytes=1))


@pytest.mark.parametrize('name, head_bn, label', [
    ('seg-linear-dinov2', True, [448, 448]),
    ('seg-linear-neco', False, [100, 100])])
def test_presets_state_their_resolutions(tmp_path, name, head_bn, label):
    root = make_voc_set(tmp_path / 'voc', num_train=2, num_test=1)
    result = run_protocol(name, OracleBackbone(), root, epochs=1)
    assert set(result.metrics) == {'mIoU', 'aAcc'}
    assert result.extra['label_sizes'] == dict(train=label, metric=label)
    s = result.settings
    assert (s['img_size'], s['head_bn'], s['test_split']) == (448, head_bn,
                                                              'test')
    assert s['metric_label_resolution'].startswith('x'.join(map(str,
                                                                label)))
    assert 'source' in s and s['epochs'] == 1
    assert result.extra['feat_shape'] == [K, 448 // PATCH, 448 // PATCH]
    with pytest.raises(ValueError, match='unknown'):
        run_protocol(name, OracleBackbone(), root, img_sz=64)
