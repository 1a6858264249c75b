# Copyright (c) mmpixpro contributors. All rights reserved.
