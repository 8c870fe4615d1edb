// KinesisStream: see ../shared/design.md
