# Copyright (c) mmpixpro contributors. All rights reserved.
"""tools/analysis_tools/evaluate.py: one table and one JSON for a list of
protocols (one registered here, plus hummingbird) on tiny data; unknown
protocols, settings and data refused, with the known ones listed, before
any model is loaded."""
import json
import os

import pytest
from pixpro_testing import load_tool, make_voc_set

from mmpixpro.evaluation import ProtocolResult
from mmpixpro.registry import EVAL_PROTOCOLS


def count_files(backbone, data_root: str, scale: float = 1.0,
                suffix: str = '.png') -> ProtocolResult:
    """A protocol of this test: files ending with ``suffix`` x scale."""
    found = sum(f.endswith(suffix) for _, _, files in os.walk(data_root)
                for f in files)
    return ProtocolResult('count-files', {'files': found * scale},
                          dict(scale=scale, suffix=suffix), data_root, 0.5)


def takes_anything(backbone, data_root: str, **settings) -> ProtocolResult:
    return ProtocolResult('anything', {}, settings, data_root)


@pytest.fixture
def tool():
    EVAL_PROTOCOLS.register_module(name='count-files', module=count_files)
    EVAL_PROTOCOLS.register_module(name='anything', module=takes_anything)
    yield load_tool('tools', 'analysis_tools', 'evaluate.py')
    for name in ('count-files', 'anything'):
        EVAL_PROTOCOLS._module_dict.pop(name)


def test_one_table_and_json_for_two_protocols(tool, tmp_path, capsys):
    root = make_voc_set(tmp_path / 'voc', num_train=4, num_test=2)
    out = tmp_path / 'eval.json'
    result = tool.main([
        '--random-init', '--depth', '18', '--protocols', 'count-files',
        'hummingbird', '--data', f'count-files={root}', '--data',
        f'hummingbird={root}', '--set', 'count-files.scale=2.5', '--set',
        'hummingbird.img_size=64', '--set', 'hummingbird.memory_size=32',
        '--set', 'hummingbird.temperature=0.008',
        '--set', 'hummingbird.index=exact', '--out', str(out)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == 'random-init (seed 0)'
    assert lines[1] == '| protocol | metrics | settings | data | seconds |'
    assert lines[2] == '| --- | --- | --- | --- | --- |'
    assert len(lines) == 5  # backbone, header, rule, a row per protocol
    count_row, hb_row = lines[3], lines[4]
    # 6 masks x 2.5; settings exactly as given (0.008 is not rounded)
    assert count_row == (f'| count-files | files 15.00 | scale=2.5, '
                         f'suffix=.png | {root} | 0 |')
    assert hb_row.startswith('| hummingbird | mIoU ')
    for setting in ('memory_size=32', 'num_neighbours=30',
                    'temperature=0.008', 'img_size=64', 'stage=C4',
                    'index=exact'):
        assert setting in hb_row
    saved = json.loads(out.read_text())
    assert saved == json.loads(json.dumps(result))
    assert [r['protocol'] for r in saved['results']] == [
        'count-files', 'hummingbird']
    hb = saved['results'][1]
    assert hb['settings']['memory_size'] == 32
    assert hb['extra']['bank_size'] == 32 and 0 <= hb['metrics']['mIoU'] <= 1e2


@pytest.mark.parametrize('argv, message', [
    (['--protocols', 'no-such'], "unknown protocol(s) ['no-such']; known: "),
    (['--protocols', 'hummingbird', '--set', 'hummingbird.k=5'],
     "hummingbird has no setting 'k'; known: memory_size, num_neighbours"),
    (['--protocols', 'count-files', '--set', 'count-files.scal=2'],
     "no setting 'scal'; known: scale, suffix"),
    (['--protocols', 'count-files', '--set', 'hummingbird.img_size=64'],
     'NAME one of count-files'),
    (['--protocols', 'count-files', '--data', 'hummingbird=x'],
     'NAME one of count-files'),
    (['--protocols', 'count-files', '--data', 'count-files=/no/such/dir'],
     "data root '/no/such/dir' not found"),
    (['--protocols', 'anything'], 'anything has no demo data'),
])
def test_refusals_list_the_known_before_loading(tool, monkeypatch, capsys,
                                                argv, message):
    def no_model(args):
        raise AssertionError('a model was loaded')

    monkeypatch.setattr(tool, 'backbone_from_args', no_model)
    with pytest.raises(SystemExit) as exc:
        tool.main(['--random-init', '--depth', '18'] + argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    if 'known: ' in message and 'protocol' in message:
        assert 'count-files' in err and 'hummingbird' in err


def test_settings_are_read_from_the_protocol(tool, tmp_path):
    assert tool.protocol_settings('count-files') == dict(scale=1.0,
                                                         suffix='.png')
    assert tool.protocol_settings('hummingbird')['num_neighbours'] == 30
    assert tool.protocol_settings('anything') is None  # it checks itself
    args = tool.parse_args(['--random-init', '--protocols', 'anything',
                            '--data', f'anything={tmp_path}', '--set',
                            'anything.ks=[20, 200]', '--set',
                            'anything.name=voc'])
    assert args.plan == [dict(name='anything', data=str(tmp_path),
                              settings=dict(ks=[20, 200], name='voc'))]
    with pytest.raises(SystemExit):
        tool.parse_args(['ckpt.pth', '--random-init', '--protocols',
                         'anything'])
    # CKPT first; --stage reaches the protocols that have a stage setting
    args = tool.parse_args([
        'ckpt.pth', '--stage', 'C5', '--protocols', 'hummingbird',
        'count-files', '--data', f'hummingbird={tmp_path}', '--data',
        f'count-files={tmp_path}'])
    assert args.checkpoint == 'ckpt.pth' and not args.random_init
    assert [p['settings'] for p in args.plan] == [dict(stage='C5'), {}]


@pytest.mark.parametrize(
    'name', ['knn-cls', 'linear-cls', 'seg-linear-dinov2', 'seg-linear-neco',
             'davis', 'hummingbird'])
def test_every_protocol_of_the_library_declares_its_settings(tool, name):
    # so that a misspelt --set is refused before a model is loaded
    settings = tool.protocol_settings(name)
    assert settings, f'{name} declares no settings'
    assert 'source' not in settings
