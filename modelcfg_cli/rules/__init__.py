"""The rules language: loading, selectors, actions and `apply`.

`loader.load_rules(path)` reads a rules file (or `builtin:NAME`), `loader.rules_from_data(dict)` checks
rules given as data, `setcli.parse_set("layers.x.units=10")` turns a `--set` edit into a rule, and
`engine.apply(envelope, ruleset)` returns the rewritten copy and a `Report`; `api.apply_rules` does all
of it for a library caller. Nothing is imported here, so a module of the package can be used alone.
"""
