"""Training configurations are validated when built (milliseconds: not in the slow suite)."""

import pytest

from training.config import TrainConfig


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (dict(hidden_size=30, num_heads=4), "divisible by num_heads"),
        (dict(mask_rate=0), "mask_rate"),
        (dict(pretrain_epochs=-1), "pretrain_epochs"),
        (dict(max_length=1024), "max_length above 512"),
        (dict(patience=0), "patience must be positive"),
    ],
)
def test_invalid_configs_are_refused(bad, message):
    # The match pins the refusal to the field that is wrong, not some other check.
    with pytest.raises(ValueError, match=message):
        TrainConfig(**bad)
