"""SMOTE in the generator's latent space (the "SMOTE" of DSEA-SMOTE, as DeepSMOTE)."""

import numpy as np
from sklearn.neighbors import NearestNeighbors

__all__ = ["LatentSMOTE"]


class LatentSMOTE:
    """Draw latent codes by SMOTE between the codes of one class.

    Each new code is ``z_i + u (z_j - z_i)``: ``z_i`` a code of the class
    drawn uniformly, ``z_j`` one of its ``k`` nearest neighbours among the
    codes of the same class (Euclidean distance, the code itself excluded)
    drawn uniformly, and ``u ~ U(0, 1)``. Decoded, these codes are new
    samples, not reconstructions of training samples.

    ``k`` is clipped to ``n_codes - 1``. A class with a single code has no
    neighbour: its new codes are ``z_i + noise_std * e`` with ``e`` standard
    normal (decode-with-small-latent-noise).

    Parameters
    ----------
    codes : ndarray of shape (n_codes, latent_dim)
        Latent codes of the real samples of the class.
    k_neighbors : int
        Neighbours to interpolate towards.
    noise_std : ndarray of shape (latent_dim,) or float
        Standard deviation of the noise of the one-sample fallback.
    random_state : numpy.random.RandomState
        Source of the draws.
    neighbor_space : ndarray of shape (n_codes, n_dims), optional
        Points, one per code, in which the nearest neighbours are searched
        (default: the codes). DSEASMOTE passes the magnitude spectra of the
        windows when it ignores their phase.

    References
    ----------
    .. [1] D. Dablain, B. Krawczyk and N. V. Chawla, "DeepSMOTE: Fusing deep
       learning and SMOTE for imbalanced data", IEEE Trans. Neural Netw.
       Learn. Syst., 34(9), 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsmote_sk.over_sampling._latent_smote import LatentSMOTE
    >>> codes = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    >>> smote = LatentSMOTE(codes, 5, 0.1, np.random.RandomState(0))
    >>> new = smote.sample(4)
    >>> new.shape, bool((new >= 0).all() and (new.sum(axis=1) <= 1).all())
    ((4, 2), True)
    """

    def __init__(self, codes, k_neighbors, noise_std, random_state, neighbor_space=None):
        self.codes = np.asarray(codes, dtype=np.float32)
        points = self.codes if neighbor_space is None else np.asarray(neighbor_space)
        self.noise_std = np.asarray(noise_std, dtype=np.float32)
        self.random_state = random_state
        self.k = min(int(k_neighbors), len(self.codes) - 1)
        if self.k >= 1:
            nn = NearestNeighbors(n_neighbors=self.k + 1).fit(points)
            index = nn.kneighbors(points, return_distance=False)
            self.neighbors = np.stack(
                [_without_self(row, i, self.k) for i, row in enumerate(index)]
            )  # (n_codes, k)

    def pairs(self, n):
        """``n`` draws ``(base, partner, gap)``: row indices and gaps ``(n, 1)``.

        ``partner`` is None for a class of one code (no neighbour).
        """
        rng = self.random_state
        base = rng.randint(len(self.codes), size=n)
        if self.k < 1:
            return base, None, None
        partner = self.neighbors[base, rng.randint(self.k, size=n)]
        gap = rng.uniform(size=(n, 1)).astype(np.float32)
        return base, partner, gap

    def mix(self, z_base, z_partner, gap):
        """``z_base + gap (z_partner - z_base)``, or the noisy one-code fallback."""
        if z_partner is None:
            noise = self.random_state.standard_normal(size=z_base.shape)
            return z_base + self.noise_std * noise.astype(np.float32)
        return z_base + gap * (z_partner - z_base)

    def sample(self, n):
        """``n`` new codes, shape ``(n, latent_dim)``, float32."""
        base, partner, gap = self.pairs(n)
        z_partner = None if partner is None else self.codes[partner]
        return self.mix(self.codes[base], z_partner, gap)


def _without_self(row, i, k):
    # Duplicated codes may put the code itself anywhere among its neighbours.
    others = row[row != i]
    return others[:k]
