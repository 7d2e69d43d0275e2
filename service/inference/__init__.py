"""Model work for the service: admission (queue-depth limit), deadlines, bounded units, batching."""

from service.inference.engine import InferenceEngine

__all__ = ["InferenceEngine"]
