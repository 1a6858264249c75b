# Copyright (c) mmpixpro contributors. All rights reserved.
"""Training from zip shards through tools/train.py equals training from the
folder, and resumes exactly.

The run of ``test_exact_resume`` (6 images, batch 2, two dataloader
workers, 5 iterations, a stop after 2 in the middle of the first epoch),
with 64-px views, is trained from the image folder and from its zip shards
(read through the file list and the 'zip' file backend); the packed run is
resumed from its iteration-2 checkpoint. Every logged iteration (loss,
LR, momentum, checksum of the batch's views and crop boxes) and the final
checkpoints must agree.
"""
import os.path as osp

import pytest
import torch
from pixpro_testing import (assert_tensors_equal, make_images, rows_by_iter,
                            run_train, write_config)
from test_exact_resume import CASES, IMAGES, ITERS, LOGGED, case_body

from mmpixpro.datasets import IMG_EXTENSIONS, list_images, pack_zip_shards

pytestmark = pytest.mark.slow  # trains through tools/train.py

# the PixPro case of test_exact_resume: its body, stop and logged values
STOP = CASES['pixpro'].stop
BODY = case_body(CASES['pixpro'])
LOGGED = LOGGED + ('momentum', )

VIEWS_64 = """
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'][0][0]['size'] = 64
train_pipeline[1]['view_pipelines'][1][0]['size'] = 64
"""
READ_ZIP = "train_pipeline[0]['backend_args'] = dict(backend='zip')\n"
LOADER = """
train_dataloader = dict(batch_size=2, num_workers=2,
                        persistent_workers=False,
                        dataset=dict(pipeline=train_pipeline))
"""


def train_folder_zip_and_resume(tmp):
    """The folder run, the zip run and the zip run resumed from
    ``iter_{STOP}.pth``, in ``tmp/{folder,zip_full,zip_part}``."""
    root = osp.dirname(make_images(tmp / 'images' / 'a', IMAGES))
    pack_zip_shards(root, list_images(root, IMG_EXTENSIONS),
                    str(tmp / 'zip'), images_per_shard=4)  # 2 archives
    folder_cfg = write_config(tmp / 'folder.py', BODY + VIEWS_64 + LOADER)
    zip_cfg = write_config(tmp / 'zip.py',
                           BODY + VIEWS_64 + READ_ZIP + LOADER)
    data = 'train_dataloader.dataset.'
    folder = run_train(folder_cfg, tmp / 'folder', [f'{data}data_root={root}'])
    assert folder.returncode == 0, folder.stderr[-3000:]
    zip_data = [f'{data}data_root={tmp / "zip"}', f'{data}ann_file=train.txt']
    packed = run_train(zip_cfg, tmp / 'zip_full', zip_data)
    assert packed.returncode == 0, packed.stderr[-3000:]
    resumed = run_train(zip_cfg, tmp / 'zip_part', zip_data,
                        extra=['--resume', str(tmp / 'zip_full' /
                                               f'iter_{STOP}.pth')])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    return tmp


# one test (its three runs are its own: no fixture shared between tests
# that pytest-xdist could send to two workers)
def test_packed_run_equals_the_folder_run_and_resumes_exactly(tmp_path):
    runs = train_folder_zip_and_resume(tmp_path)
    assert_packed_run_logs_what_the_folder_run_logs(runs)
    assert_packed_run_resumes_exactly(runs)


def assert_packed_run_logs_what_the_folder_run_logs(runs):
    """Every iteration of the zip run logs what the folder run logged."""
    folder, packed = rows_by_iter(runs / 'folder'), rows_by_iter(
        runs / 'zip_full')
    assert sorted(folder) == sorted(packed) == list(range(1, ITERS + 1))
    for it in folder:
        for key in LOGGED:
            assert packed[it][key] == pytest.approx(
                folder[it][key], rel=1e-6, abs=1e-6), (it, key)
    assert len({folder[it]['input_sum'] for it in folder}) == ITERS


def assert_packed_run_resumes_exactly(runs):
    """The resumed zip run logs and ends as the uninterrupted zip and
    folder runs."""
    full, part = rows_by_iter(runs / 'zip_full'), rows_by_iter(
        runs / 'zip_part')
    assert sorted(part) == list(range(STOP + 1, ITERS + 1))
    for it in part:
        for key in LOGGED:
            assert part[it][key] == pytest.approx(
                full[it][key], rel=1e-6, abs=1e-6), (it, key)
    last = f'iter_{ITERS}.pth'
    states = [
        torch.load(runs / run / last, map_location='cpu',
                   weights_only=True)
        for run in ('folder', 'zip_full', 'zip_part')
    ]
    for other in states[1:]:
        n = assert_tensors_equal(states[0]['state_dict'],
                                 other['state_dict'], 'state_dict')
        assert n == len(states[0]['state_dict'])
        assert assert_tensors_equal(states[0]['optimizer'],
                                    other['optimizer'], 'optimizer') > 0
