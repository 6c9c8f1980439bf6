"""Settings for every pytest run (tests and doctests): one torch thread.

The estimator checks run about ten times faster on one thread, and the
numbers compared in tests do not depend on the thread count.
"""

import matplotlib
import torch

matplotlib.use("Agg")
torch.set_num_threads(1)
