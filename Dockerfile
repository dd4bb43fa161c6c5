# The tsunagari API image (used by docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graphsvc ./graphsvc
COPY matching ./matching
COPY loaders ./loaders
RUN pip install --no-cache-dir . && useradd --create-home tsunagari
USER tsunagari
ENV TSUNAGARI_DATA_DIR=/data TSUNAGARI_OUT_DIR=/out
EXPOSE 8000
CMD ["tsunagari", "serve", "--host", "0.0.0.0", "--port", "8000"]
