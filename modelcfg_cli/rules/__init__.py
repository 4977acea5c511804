"""The rules language: loading, selectors, actions and `apply`.

`load_rules(path)` reads a rules file (or `builtin:NAME`), `rules_from_data(dict)` checks rules given as
data, `parse_set("layers.x.units=10")` turns a `--set` edit into a rule, and `apply(envelope, ruleset)`
returns the rewritten copy and a `Report`.
"""

from modelcfg_cli.rules.engine import Report, RuleResult, apply
from modelcfg_cli.rules.loader import load_rules, rules_from_data
from modelcfg_cli.rules.model import Rule, RuleSet
from modelcfg_cli.rules.setcli import parse_set

__all__ = ["Report", "Rule", "RuleResult", "RuleSet", "apply", "load_rules", "parse_set", "rules_from_data"]
