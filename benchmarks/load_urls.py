"""The project's URLs and `/bench/trivial/`: authenticated (token or session), no query beyond
the authentication, an empty JSON object. The baseline of benchmarks/load.py."""

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from homeoffice.urls import urlpatterns as project_urls


class Trivial(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({})


urlpatterns = [path("bench/trivial/", Trivial.as_view()), *project_urls]
