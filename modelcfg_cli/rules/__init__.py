"""The rules language: loading, selectors, actions and `apply`."""
