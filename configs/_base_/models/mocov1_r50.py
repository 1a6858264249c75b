# MoCo v1 (https://arxiv.org/abs/1911.05722): MoCo v2's model
# (mocov2_r50.py: ResNet-50, a queue of 65536 keys, the constant key-encoder
# momentum m = 0.999 of key = m * key + (1 - m) * query) with the v1 head:
# a linear 128-d projection of the pooled ResNet-50 features (the authors
# replace the classifier fc by fc(2048, 128): LinearNeck without norm or
# activation) and temperature 0.07.
_base_ = ['./mocov2_r50.py']

model = dict(
    neck=dict(
        _delete_=True,
        type='LinearNeck',
        in_channels=2048,
        out_channels=128,
        gap_dim=2,  # global average pooling of the (N, 2048, h, w) map
        norm_cfg=None,
        act_cfg=None),
    head=dict(temperature=0.07))
