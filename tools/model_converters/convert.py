# Copyright (c) mmpixpro contributors. All rights reserved.
"""Export the online backbone (and FPN) of a training checkpoint.

Examples::

    python tools/model_converters/convert.py work_dirs/pixpro/epoch_400.pth \
        --to mmdet
    python tools/model_converters/convert.py CKPT --to detectron2 -o r50.pkl
    python tools/model_converters/convert.py CKPT --to mmdet --with-fpn
    python tools/model_converters/convert.py CKPT --to mmseg --with-head

The export is checked strictly against its architecture after writing.
"""
import argparse
import sys

from mmpixpro.checkpoint import KeyMismatchError
from mmpixpro.export import TARGETS, convert_checkpoint, verify_export

CHECKED_AGAINST = {
    'mmpretrain': 'mmpretrain ResNet key set (= mmdet/mmseg ResNet)',
    'mmdet': 'mmpretrain ResNet key set (= mmdet/mmseg ResNet)',
    'mmseg': 'mmpretrain ResNet key set (= mmdet/mmseg ResNet)',
    'detectron2': 'detectron2 ResNet names (bijective with ResNet keys)',
    'torchvision': 'torchvision.models.resnet* (strict, fc removed)',
}


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='training checkpoint (.pth)')
    parser.add_argument('--to', required=True, choices=TARGETS,
                        help='target framework')
    parser.add_argument('-o', '--out', help='output file (default: next to '
                        'the checkpoint, e.g. epoch_12_mmdet.pth; .pkl for '
                        'detectron2)')
    parser.add_argument('--with-fpn', action='store_true',
                        help='also export the pretrained FPN (fpn.*) as the '
                        'detector neck (mmdet/mmseg: neck.*, detectron2: '
                        'fpn_*)')
    parser.add_argument('--with-head', action='store_true',
                        help='also export the pretrained ASPP head of CP2 '
                        '(neck.*) as mmseg DeepLabV3 decode_head.* (mmseg '
                        'only; conv_seg is not pretrained)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Convert, verify, report; exit status 1 with a message on bad input."""
    args = parse_args(argv)
    try:
        summary = convert_checkpoint(args.checkpoint, args.to, args.out,
                                     args.with_fpn,
                                     with_head=args.with_head)
        depth = verify_export(summary.path, args.to)
    except (FileNotFoundError, ValueError, KeyMismatchError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(summary)
    if isinstance(depth, str):  # ViT, Swin, ConvNeXt
        where = ('torchvision (strict load)' if args.to == 'torchvision'
                 else "mmpretrain's backbone key set (mapped back)")
        print(f'Verified: {depth} matches {where}.')
        return 0
    print(f'Verified: ResNet-{depth} matches the {CHECKED_AGAINST[args.to]}.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
