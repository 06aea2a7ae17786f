def test_it_serves_the_home_page(client, note):
    response = client.get("/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers
