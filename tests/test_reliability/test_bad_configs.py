# Copyright (c) mmpixpro contributors. All rights reserved.
"""Config mistakes are reported before anything is built or trained."""
import pytest
from mmengine.runner import Runner
from pixpro_testing import ROOT, load_train_tool, make_images


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


@pytest.mark.parametrize('option,words', [
    # CheckpointHook takes **kwargs and hands them to save_checkpoint,
    # which fails at the first save, hours later
    ('default_hooks.checkpoint.intervall=1',
     "SafeCheckpointHook has no argument 'intervall' (did you mean "
     "['interval']?)"),
    ('train_cfg.max_epoch=3',
     "EpochBasedTrainLoop has no argument 'max_epoch'"),
    ('train_cfg.max_epochs=0', 'train_cfg.max_epochs must be >= 1, got 0'),
    ('train_dataloader.batch_size=0',
     'train_dataloader.batch_size must be >= 1, got 0'),
    ('train_dataloader.batch_size=two',
     "train_dataloader.batch_size must be a whole number >= 1, got 'two' "
     '(str)'),
])
def test_hook_loop_and_value_mistakes_are_reported_first(
        option, words, tmp_path, monkeypatch):
    with pytest.raises(ValueError) as err:
        run_train_tool(tmp_path, monkeypatch, option)
    assert words in str(err.value)


def test_iteration_loop_without_type_is_checked(tmp_path, monkeypatch):
    cfg = tmp_path / 'iters.py'
    demo = f'{ROOT}/configs/pixpro/pixpro_r18_demo.py'
    cfg.write_text(f"_base_ = ['{demo}']\ntrain_cfg = dict(_delete_=True, "
                   'by_epoch=False, max_iters=-5, max_epochs=2)\n')
    with pytest.raises(ValueError) as err:
        run_train_tool(tmp_path, monkeypatch, 'work_dir=x', config=str(cfg))
    assert 'train_cfg.max_iters must be >= 1, got -5' in str(err.value)
    # max_epochs is no argument of the iteration-based loop
    assert "IterBasedTrainLoop has no argument 'max_epochs'" in str(
        err.value)


def test_dataset_smaller_than_one_batch_is_reported(tmp_path, monkeypatch):
    from mmpixpro.datasets import DatasetTooSmallError
    root = make_images(tmp_path / 'data' / 'a', 3).parent
    with pytest.raises(DatasetTooSmallError) as err:
        run_train_tool(tmp_path, monkeypatch,
                       f'train_dataloader.dataset.data_root={root}',
                       'train_dataloader.batch_size=4',
                       'train_dataloader.drop_last=True')
    msg = str(err.value)
    assert 'holds 3 images, fewer than one batch' in msg
    assert 'batch_size=4 x 1 process(es)' in msg


def test_resume_without_checkpoint_is_an_error(tmp_path, monkeypatch):
    from mmpixpro.utils import NothingToResumeError
    root = make_images(tmp_path / 'data' / 'a', 2).parent
    monkeypatch.setattr('sys.argv', [
        'train.py', 'configs/pixpro/pixpro_r18_demo.py', '--work-dir',
        str(tmp_path / 'w'), '--resume', '--cfg-options',
        f'train_dataloader.dataset.data_root={root}'])
    tool = load_train_tool()
    with pytest.raises(NothingToResumeError) as err:
        tool.build_config(tool.parse_args())
    assert 'no checkpoint to resume' in str(err.value)
    assert '--resume-or-start' in str(err.value)
    monkeypatch.setattr('sys.argv', [
        'train.py', 'configs/pixpro/pixpro_r18_demo.py', '--work-dir',
        str(tmp_path / 'w'), '--resume', str(tmp_path / 'none.pth')])
    with pytest.raises(NothingToResumeError, match='does not exist'):
        tool.build_config(tool.parse_args())
    # asked for explicitly, a fresh start is fine
    monkeypatch.setattr('sys.argv', [
        'train.py', 'configs/pixpro/pixpro_r18_demo.py', '--work-dir',
        str(tmp_path / 'w'), '--resume-or-start'])
    cfg = tool.build_config(tool.parse_args())
    assert not cfg.resume and cfg.load_from is None


@pytest.mark.parametrize('priority,ok', [
    ('VERY_HIGH', True), ('very_low', True), (0, True), (100, True),
    ('HIGHEST_EVER', False), (101, False), (-1, False), (True, False),
    (2.5, False), (None, False)])
def test_hook_priority_is_taken_and_checked(priority, ok):
    from mmengine.config import Config

    from mmpixpro.utils import ConfigError, check_config

    # every mmengine hook config may name its priority (the Runner pops it)
    cfg = Config.fromfile(f'{ROOT}/configs/swav/swav_r18_demo.py')
    assert cfg.custom_hooks[0].priority == 'VERY_HIGH'
    cfg.custom_hooks[0].priority = priority
    cfg.default_hooks.checkpoint.priority = priority
    if ok:
        check_config(cfg)
        return
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    msg = str(err.value)
    for path in ('custom_hooks[0].priority', 'default_hooks.checkpoint.'
                 'priority'):
        assert f'{path}: {priority!r} is not a hook priority; use one of '\
            'HIGHEST, VERY_HIGH' in msg
    assert 'no argument' not in msg
