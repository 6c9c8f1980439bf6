"""The SEA-module: squeeze-enhanced axial attention (DSEA-SMOTE Sec. II-B).

The DSEA-SMOTE paper takes the attention block of SeaFormer (Wan et al.,
ref. [22] of the paper) unchanged and summarises it in Eq. 3-5 and Fig. 1;
this module follows SeaFormer's block.
"""

import math

import torch
from torch import nn

__all__ = ["SqueezeAxialAttention"]


def _heads(t, n_heads):
    """(batch, heads * dim, length) -> (batch, heads, length, dim)."""
    b, hd, n = t.shape
    return t.reshape(b, n_heads, hd // n_heads, n).transpose(-1, -2)


class SqueezeAxialAttention(nn.Module):
    """Squeeze-enhanced axial attention, the SEA-module of DSEA-SMOTE (Eq. 3-5).

    For a feature map ``x`` of shape ``(batch, dim, H, W)``:

    1. 1x1 convolutions give the queries, keys and values ``q, k, v``.
    2. **Squeeze** (Eq. 3-4): ``q``, ``k`` and ``v`` are averaged along the
       width, ``q_(h) = (1/W) q A_W^T``, and along the height,
       ``q_(v) = (1/H) q A_H^T``; a learnable positional embedding is added
       to the squeezed queries and keys of each axis.
    3. **Axial attention**: multi-head attention over the ``H`` squeezed rows
       and, separately, over the ``W`` squeezed columns; each result is
       projected, broadcast back over the axis it was squeezed along, and the
       two are summed with ``v`` into the squeeze-axial representation ``Y``.
    4. **Detail enhancement**: a 3x3 depthwise convolution of
       ``concat(q, k, v)`` followed by a pointwise convolution gives the
       detail map ``E``, restoring the local detail that squeezing discards.
    5. **Gate** (Eq. 5): ``O = sigmoid(Y) * E``.

    Parameters
    ----------
    dim : int
        Channels of the input and of the output.
    height, width : int
        Size of the feature maps the block will see; the positional
        embeddings have one learnable vector per row and per column.
    n_heads : int, default=8
        Attention heads (the paper uses 8).
    key_dim : int, optional
        Channels of each head's queries and keys; by default
        ``max(4, dim // (2 * n_heads))`` (SeaFormer's ratio of 2 between
        value and key channels).
    value_dim : int, optional
        Channels of each head's values; by default ``max(1, dim // n_heads)``.

    References
    ----------
    .. [1] Q. Wan, Z. Huang, J. Lu, G. Yu and L. Zhang, "SeaFormer++:
       Squeeze-enhanced axial transformer for mobile visual recognition",
       arXiv:2301.13156, 2023.

    Examples
    --------
    >>> import torch
    >>> from deepsmote_sk.over_sampling._sea import SqueezeAxialAttention
    >>> sea = SqueezeAxialAttention(16, height=8, width=8, n_heads=2)
    >>> tuple(sea(torch.randn(3, 16, 8, 8)).shape)
    (3, 16, 8, 8)
    """

    def __init__(self, dim, height, width, n_heads=8, key_dim=None, value_dim=None):
        super().__init__()
        self.n_heads = int(n_heads)
        self.key_dim = int(key_dim or max(4, dim // (2 * self.n_heads)))
        self.value_dim = int(value_dim or max(1, dim // self.n_heads))
        nk = self.key_dim * self.n_heads
        nv = self.value_dim * self.n_heads
        self.to_q = nn.Conv2d(dim, nk, 1)
        self.to_k = nn.Conv2d(dim, nk, 1)
        self.to_v = nn.Conv2d(dim, nv, 1)
        self.pos_q_row = nn.Parameter(torch.randn(1, nk, height) * 0.02)
        self.pos_k_row = nn.Parameter(torch.randn(1, nk, height) * 0.02)
        self.pos_q_col = nn.Parameter(torch.randn(1, nk, width) * 0.02)
        self.pos_k_col = nn.Parameter(torch.randn(1, nk, width) * 0.02)
        self.proj_row = nn.Sequential(nn.GELU(), nn.Conv1d(nv, nv, 1))
        self.proj_col = nn.Sequential(nn.GELU(), nn.Conv1d(nv, nv, 1))
        self.proj = nn.Sequential(nn.GELU(), nn.Conv2d(nv, dim, 1))
        n_qkv = 2 * nk + nv
        self.detail = nn.Sequential(
            nn.Conv2d(n_qkv, n_qkv, 3, padding=1, groups=n_qkv),
            nn.GELU(),
            nn.Conv2d(n_qkv, dim, 1),
        )

    def _axial(self, q, k, v):
        """Attention along one squeezed axis: (batch, ch, n) -> (batch, nv, n)."""
        q, k, v = (_heads(t, self.n_heads) for t in (q, k, v))  # (batch, heads, n, d)
        attn = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.key_dim), dim=-1)
        out = attn @ v  # (batch, heads, n, value_dim)
        b, h, n, d = out.shape
        return out.transpose(-1, -2).reshape(b, h * d, n)

    def forward(self, x):
        q, k, v = self.to_q(x), self.to_k(x), self.to_v(x)  # (batch, ch, H, W)
        detail = self.detail(torch.cat([q, k, v], dim=1))  # E, (batch, dim, H, W)
        # Eq. 3: squeeze along the width -> one vector per row.
        rows = self._axial(
            q.mean(-1) + self.pos_q_row, k.mean(-1) + self.pos_k_row, v.mean(-1)
        )  # (batch, nv, H)
        # Eq. 4: squeeze along the height -> one vector per column.
        cols = self._axial(
            q.mean(-2) + self.pos_q_col, k.mean(-2) + self.pos_k_col, v.mean(-2)
        )  # (batch, nv, W)
        y = v + self.proj_row(rows)[..., None] + self.proj_col(cols)[..., None, :]
        y = self.proj(y)  # Y, (batch, dim, H, W)
        return torch.sigmoid(y) * detail  # Eq. 5
