"""Analysis of posts: segmentation, places, sentiment (and, from other modules, relevance, events, risk)."""

from analysis.places import Gazetteer, default_gazetteer, load_gazetteer
from analysis.segment import Segmenter, default_segmenter
from analysis.sentiment import SentimentModel, TrainReport, blend, default_model, train_sentiment
from analysis.pipeline import AnalysisBatch, Analyzer, PostAnalysis
from analysis.evaluate import evaluate
