"""Runtime images: the Python environments kernels run in (docs/runtime-images.md).

An image is a virtual environment built from a manifest (``runtime-images/<name>.txt``,
a pip requirements file) into ``<data>/images/<name>/<hash>/``, where ``<hash>`` is the
manifest's content hash. ``<data>/images/<name>/current`` names the complete version
runtimes use; it is switched only after a build finished, so a failed build leaves the
previous one in place.
"""
