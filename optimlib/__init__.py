"""optimlib: the tested reference implementations behind the course book.

Modules: ``functions`` (2-D test objectives), ``gradients`` (numerical derivatives
and gradient checks), ``losses``, ``nn`` (an MLP with backpropagation),
``optimizers`` (ten torch.optim-compatible update rules), ``train`` (loops),
``landscape`` (slices of a cost), ``datasets`` (the handwritten digits), ``widgets``
and ``grading``.
"""

__version__ = "0.1.0"
