"""Benchmarks: cloudbook beside the systems users would otherwise pick, in one run."""

import os

# A benchmark's `cloudbook serve` never starts the colab image build (the service's
# default): it would download and unpack GBs while the figures are taken.
os.environ["CLOUDBOOK_IMAGE_AUTOBUILD"] = "0"
