"""CollectQuest's engine: level format, loading and validation, dialogue/quiz/audit logic,
scoring, progression and storage. Pure Python: it never imports textual or rich."""
