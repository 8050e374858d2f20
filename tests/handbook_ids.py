"""The handbook ids the content brief fixes: rule cards (red lines and others) and glossary terms.
Shared by the content and question-bank tests, so the list lives in one place."""

# The brief's rule-card ids (content/rules.yaml defines exactly these).
RED_LINE_IDS = {
    "crim-illegal-debt-collection", "crim-unlawful-detention", "crim-provoking-trouble",
    "crim-personal-info", "crim-insult-defamation", "crim-extortion",
    "pipl-no-illegal-disclosure", "civ-personal-info-protection", "card-no-third-party",
    "psl-harassment", "ind-contact-hours", "ind-no-impersonation", "ind-third-party-contact",
    "ind-no-public-posting", "ind-no-new-loan", "ind-no-extra-fees",
    "threat-intimidation",  # second edition: a one-off false threat (恐吓) is its own card
}
OTHER_RULE_IDS = {
    "civ-limitation-period", "civ-limitation-instalment", "civ-limitation-expiry",
    "civ-limitation-interruption", "civ-principal-actual", "civ-usury-ban", "civ-assignment-notice",
    "civ-privacy-harassment", "civ-reputation", "civ-spouse-debt", "pipl-minimum-necessity",
    "pipl-entrusted-processing", "pipl-sensitive-info", "pipl-penalties", "lending-interest-cap",
    "lending-fees-cap", "lending-scope", "card-recording", "card-collection-letter", "card-instalment",
    "card-no-pure-commission", "ind-identify-yourself", "ind-contact-frequency",
    "ind-lawful-contact-sources", "ind-agency-whitelist", "complaint-handling-deadline",
    "consumer-info-protection", "interp-provoking-trouble",
}
RULE_IDS = RED_LINE_IDS | OTHER_RULE_IDS

# The brief's glossary ids (content/glossary.yaml defines exactly these).
GLOSSARY_IDS = {
    "g-account-age", "g-bucket", "g-dpd", "g-roll-rate", "g-recovery-rate", "g-repayment-rate",
    "g-lost-contact", "g-skip-tracing", "g-ptp", "g-broken-promise", "g-instalment", "g-waiver",
    "g-extension", "g-outsourcing", "g-quality-inspection", "g-complaint", "g-limitation",
    "g-limitation-interruption", "g-principal", "g-penalty-interest", "g-late-fee", "g-lpr",
    "g-head-interest", "g-guarantor", "g-third-party", "g-debt-assignment", "g-write-off",
    "g-legal-action", "g-minimum-payment", "g-credit-report", "g-sensitive-info", "g-recording",
    "g-script", "g-objection-handling", "g-de-escalation", "g-crisis-intervention", "g-coaching",
    "g-agency-whitelist", "g-connect-rate", "g-rpc", "g-contact-frequency", "g-hardship",
    "g-promise-kept-rate", "g-npl",
}

# Sources that have no article numbers we could verify, so their cards may omit `article`:
# the 2026 中国银行业协会 guideline (article numbers not seen in any source) and the 2020 complaint
# 办法 (45 articles, but compliance.md §7.5 gives none of their numbers).
