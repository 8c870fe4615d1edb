// Firehose: see ../shared/design.md
