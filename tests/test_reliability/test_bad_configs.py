# Copyright (c) mmpixpro contributors. All rights reserved.
"""Config mistakes are reported before anything is built or trained."""
import pytest
from mmengine.runner import Runner
from reliability_cfg import ROOT, load_train_tool


def run_train_tool(tmp_path, monkeypatch, *options, config=None):
    """Run tools/train.py main(); building the model is an error."""

    def no_model(*args, **kwargs):
        raise AssertionError('the model was built before the config check')

    monkeypatch.setattr(Runner, 'build_model', no_model)
    monkeypatch.setattr('sys.argv', [
        'train.py', config or 'configs/pixpro/pixpro_r18_demo.py',
        '--work-dir', str(tmp_path / 'w'), '--cfg-options', *options
    ])
    load_train_tool().main()


def test_unknown_type_names_registry_and_closest(tmp_path, monkeypatch):
    with pytest.raises(ValueError) as err:
        run_train_tool(tmp_path, monkeypatch, 'model.neck.type=PixelMLPNek')
    msg = str(err.value)
    assert "'PixelMLPNek'" in msg and 'mmpixpro::model registry' in msg
    assert 'PixelMLPNeck' in msg


def test_unknown_transform_is_caught_before_training(tmp_path, monkeypatch):
    # datasets/transforms are built lazily by mmengine: only at train()
    with pytest.raises(ValueError) as err:
        run_train_tool(tmp_path, monkeypatch,
                       'train_dataloader.dataset.pipeline.0.type=LoadRGB')
    msg = str(err.value)
    assert 'transform registry' in msg and 'LoadRGBImageFromFile' in msg


def test_unknown_argument_names_component_and_argument(tmp_path,
                                                       monkeypatch):
    with pytest.raises(ValueError) as err:
        run_train_tool(tmp_path, monkeypatch, 'model.backbone.dept=18',
                       'default_hooks.broken_images.max_fracton=0.5')
    msg = str(err.value)
    assert "ResNet has no argument 'dept'" in msg and "'depth'" in msg
    assert "BrokenImageHook has no argument 'max_fracton'" in msg


def test_missing_keys_are_reported_before_training(tmp_path, monkeypatch):
    cfg = tmp_path / 'incomplete.py'
    base = f'{ROOT}/configs/_base_/default_runtime.py'
    cfg.write_text(f"_base_ = ['{base}']\nmodel = dict(type='PixPro', "
                   "neck=dict(type='PixelMLPNeck'))\n")
    with pytest.raises(ValueError) as err:
        run_train_tool(tmp_path, monkeypatch, 'work_dir=x', config=str(cfg))
    msg = str(err.value)
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper'):
        assert f"missing required key '{key}'" in msg
    assert "PixPro needs the argument 'backbone'" in msg
