# "Revisiting Contrastive SSL" (https://arxiv.org/abs/2106.05967): MoCo v2
# (mocov2_r50.py: ResNet-50, 2048-2048-128 MLP projector, the constant
# key-encoder momentum of MomentumHook; BN per GPU where the authors shuffle
# it) on 1 large query view, 4 small query views and 1 key view, plus 0.4 x a
# kNN term whose top-20 neighbours come from a second queue of the key
# encoder's pooled backbone features; both queues of 65536 entries (the
# authors' default --moco-k), held by the head; T 0.2; key encoder momentum
# m = 0.995 (the COCO recipe).
_base_ = ['./mocov2_r50.py']

# MoCo v2's backbone and neck; its queue (queue_len, feat_dim) moves to the
# head, so the model is written anew (_delete_) around them
model = dict(
    _delete_=True,
    type='MultiCropMoCo',
    base_momentum=0.995,
    # views in order: query (large), key (large), small queries; one tensor
    # per view (MultiCropMoCo runs each size group of queries as one pass)
    data_preprocessor=dict(
        _base_.model.data_preprocessor,
        type='MultiViewDataPreprocessor',
        stack_groups=False),
    backbone=_base_.model.backbone,
    neck=_base_.model.neck,
    head=dict(
        type='MoCoKNNHead',
        queue_len=65536,
        feat_dim=128,
        backbone_dim=2048,
        contrastive=_base_.model.head,
        knn_loss=dict(
            type='KNNPositiveLoss', topk=20, temperature=0.2,
            loss_weight=0.4)))
