# PixContrast on the swin-nano demo backbone: pixcontrast_r18_demo.py's head
# and loss on pixpro_swin-nano_demo.py (backbone, projector, AdamW, hooks).
_base_ = ['../pixpro/pixpro_swin-nano_demo.py']

model = dict(
    head=dict(
        _delete_=True,
        type='PixelContrastHead',
        loss=dict(type='PixContrastLoss', temperature=0.3,
                  pos_threshold=0.7)))
