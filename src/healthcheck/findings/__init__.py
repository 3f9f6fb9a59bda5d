"""Plain sentences from a view, in the voice of a committee paper."""
