"""The application object: its OpenAPI document and docs page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.schemas.problem import PROBLEM_MEDIA_TYPE


def test_openapi_documents_problems_and_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    ingest = spec["paths"]["/v1/articles"]["post"]
    assert ingest["description"]
    assert set(ingest["responses"]) >= {"200", "202", "400", "413", "422", "503"}
    for status in ("400", "413", "422", "503"):
        assert list(ingest["responses"][status]["content"]) == [PROBLEM_MEDIA_TYPE]
    assert "All or nothing" in spec["paths"]["/v1/articles/batch"]["post"]["description"]
    assert spec["components"]["schemas"]["ArticleIn"]["examples"][0]["outlet"] == "China Daily"
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_docs_page_is_served(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert "swagger" in response.text.lower()
