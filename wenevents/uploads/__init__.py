"""Meeting documents, information sheets and slides."""
