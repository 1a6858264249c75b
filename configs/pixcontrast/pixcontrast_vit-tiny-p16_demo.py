# PixContrast demo on ViT-Ti/16: pixpro_vit-tiny-p16_demo.py with the
# contrastive head of pixcontrast_r18_demo.py (positives on the patch grid
# placed as PixPro's).
_base_ = ['../pixpro/pixpro_vit-tiny-p16_demo.py']

model = dict(
    head=dict(
        _delete_=True,
        type='PixelContrastHead',
        loss=dict(type='PixContrastLoss', temperature=0.3,
                  pos_threshold=0.7)))
