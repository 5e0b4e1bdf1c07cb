"""Item pipelines: where the posts a spider yields go."""
