# Copyright (c) mmpixpro contributors. All rights reserved.
"""Momentum copies are paired with their online modules from the model's
own keys, for any algorithm (no hard-coded ``target_net`` layout)."""
import torch

from mmpixpro.checkpoint import map_to_model
from mmpixpro.checkpoint.layouts import momentum_pairs


def _state(**parts):
    return {k: torch.zeros(*shape) for k, shape in parts.items()}


def test_pairs_of_a_chain_and_of_a_single_module():
    state = {
        'backbone.conv.weight': torch.zeros(4, 3), 'neck.fc.weight':
        torch.zeros(2, 4), 'instance_neck.fc.weight': torch.zeros(2, 4),
        'target_net.module.0.conv.weight': torch.zeros(4, 3),
        'target_net.module.1.fc.weight': torch.zeros(2, 4),
        'target_instance_neck.module.fc.weight': torch.zeros(2, 4),
        'encoder_k.module.0.conv.weight': torch.zeros(4, 3)}
    pairs = dict(momentum_pairs(state))
    assert pairs['target_net.module.0.'] == 'backbone.'
    assert pairs['encoder_k.module.0.'] == 'backbone.'
    # neck and instance_neck look alike: the name decides, or nothing
    assert pairs['target_instance_neck.module.'] == 'instance_neck.'
    assert 'target_net.module.1.' not in pairs


def test_online_weights_fill_a_moco_style_key_encoder():
    """A torchvision file loaded into a model whose copy is ``encoder_k``
    (MoCo's name): the copy starts equal to the loaded backbone."""
    model = {'backbone.conv1.weight': torch.zeros(8, 3, 7, 7),
             'backbone.layer1.0.conv1.weight': torch.zeros(8, 8, 3, 3),
             'encoder_k.module.0.conv1.weight': torch.zeros(8, 3, 7, 7),
             'encoder_k.module.0.layer1.0.conv1.weight':
             torch.zeros(8, 8, 3, 3)}
    weights = {'conv1.weight': torch.ones(8, 3, 7, 7),
               'layer1.0.conv1.weight': torch.full((8, 8, 3, 3), 2.)}
    mapped = map_to_model(weights, model)
    assert mapped.copied_to_target == 2 and not mapped.missing
    assert torch.equal(mapped.state_dict['encoder_k.module.0.conv1.weight'],
                       weights['conv1.weight'])
