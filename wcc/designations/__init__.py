"""World Craft City designations and the activity reports they owe."""
