"""The union's goals, their indicators and the targets members commit to."""
