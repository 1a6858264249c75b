# Copyright (c) mmpixpro contributors. All rights reserved.
import pytest

from mmpixpro.utils import register_all_modules


@pytest.fixture(scope='session', autouse=True)
def _register_modules() -> None:
    """Register mmpixpro's modules and make ``mmpixpro`` the scope."""
    register_all_modules()
