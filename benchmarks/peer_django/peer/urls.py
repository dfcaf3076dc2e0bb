"""The peer's three operations."""

from django.urls import path

from peer import views

urlpatterns = [
    path("api/compliance-assessments/", views.ReviewQueue.as_view()),
    path("api/compliance-assessments/<uuid:pk>/", views.AssessmentDetail.as_view()),
    path("api/compliance-assessments/<uuid:pk>/checklist/", views.Checklist.as_view()),
    path("api/compliance-assessments/<uuid:pk>/answers/", views.SaveAnswers.as_view()),
]
