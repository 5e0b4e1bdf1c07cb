"""Sentiment of a post: a SnowNLP-style Bayes classifier on segmenter tokens, blended with negative events."""

from analysis.sentiment.lexicon import NegativeLexicon, blend, default_lexicon
from analysis.sentiment.model import SentimentModel, default_model
from analysis.sentiment.corpora import read_labelled
from analysis.sentiment.train import TrainReport, train_sentiment

__all__ = [
    "NegativeLexicon",
    "SentimentModel",
    "TrainReport",
    "blend",
    "default_lexicon",
    "default_model",
    "read_labelled",
    "train_sentiment",
]
